"""The labelled citizen questions, asked through the signed webhook, judged on meaning and answer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import Conversation, db
from tests import events as ev
from tests.corpus.evaluate import dialogues, facts_from_db, judge, load, score
from tests.helpers import ask

FLOORS = {"questions.yaml": 0.97, "questions-b.yaml": 0.97, "heldout.yaml": 0.95}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_corpus_accuracy_through_the_webhook(demo, client, line, name):
    outcomes = []
    for dialogue in dialogues(load(name)):
        user = ev.new_user()
        for turn in dialogue:
            sent = ask(demo, client, line, user, turn["q"])
            with demo.app_context():
                context = db.session.scalar(select(Conversation.context).where(Conversation.chat_id == user))
                outcomes.append(judge(turn, context or {}, sent.all_text(), facts_from_db))
    right, total, accuracy = score(outcomes)
    misses = [f"{o.turn['q']!r}: {'; '.join(o.problems)}" for o in outcomes if not o.ok]
    print(f"\n{name}: {right}/{total} = {accuracy:.1%}")
    assert accuracy >= FLOORS[name], "\n".join(misses)
    # The `line` fixture asserts afterwards that no answer broke a LINE limit.
