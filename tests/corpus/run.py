"""`python -m tests.corpus.run [file]`: the corpus against the bot's logic directly, misses listed."""

from __future__ import annotations

import sys
import tempfile

from app import create_app
from bot import engine
from models import Conversation, db
from tests.corpus.evaluate import dialogues, facts_from_db, judge, load, score


def evaluate(app, items: list[dict]):
    outcomes = []
    with app.app_context():
        for number, dialogue in enumerate(dialogues(items)):
            conversation = Conversation(channel="web", chat_id=f"corpus:{number}", context={})
            db.session.add(conversation)
            for turn in dialogue:
                reply = engine.respond(conversation, turn["q"])
                outcomes.append(judge(turn, dict(conversation.context or {}), _text(reply), facts_from_db))
            db.session.rollback()
    return outcomes


def _text(reply) -> str:
    import json

    return reply.plain_text() + json.dumps(reply.to_dict(), ensure_ascii=False)


def demo_app(tmp: str):
    from models.ita_import import load_demo

    app = create_app({"APP_ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp}/corpus.db"})
    with app.app_context():
        db.create_all()
        load_demo()
    return app


def main() -> None:
    names = sys.argv[1:] or ["questions.yaml"]
    with tempfile.TemporaryDirectory() as tmp:
        app = demo_app(tmp)
        for name in names:
            outcomes = evaluate(app, load(name))
            for o in outcomes:
                if not o.ok:
                    print(f"MISS {o.turn['q']!r}: {'; '.join(o.problems)}")
            right, total, accuracy = score(outcomes)
            print(f"{name}: {right}/{total} = {accuracy:.1%}")


if __name__ == "__main__":
    main()
