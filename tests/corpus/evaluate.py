"""Scoring the bot against the labelled corpus: understanding and the facts in the answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SLOTS = ("agency", "year", "indicator", "threshold", "tool", "question", "aspect", "topic", "issue_area")


def load(name: str) -> list[dict]:
    with open(HERE / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def dialogues(items: list[dict]) -> list[list[dict]]:
    """Every item as a conversation: a single question is a one-turn dialogue."""
    return [item["dialogue"] if "dialogue" in item else [item] for item in items]


@dataclass
class Outcome:
    turn: dict
    got: dict
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def judge(turn: dict, context: dict, reply_text: str, facts) -> Outcome:
    """Compare what the bot settled (its stored context) and said with the label."""
    pending = context.get("pending") or {}
    got = {"intent": pending.get("intent") or context.get("said"), **{s: context.get(s) for s in SLOTS}}
    if pending:
        got.update({k: v for k, v in pending.items() if k != "intent"})
    outcome = Outcome(turn, got)
    if got["intent"] != turn["intent"]:
        outcome.problems.append(f"intent {got['intent']} != {turn['intent']}")
    for slot in SLOTS:
        if slot in turn and got.get(slot) != turn[slot]:
            expected = turn[slot]
            if slot == "threshold" and got.get(slot) is not None and float(got[slot]) == float(expected):
                continue
            outcome.problems.append(f"{slot} {got.get(slot)!r} != {expected!r}")
    if outcome.ok:
        for fact in facts(turn, got):
            if fact not in reply_text:
                outcome.problems.append(f"answer lacks {fact!r}")
    return outcome


def facts_from_db(turn: dict, got: dict) -> list[str]:
    """Numbers and titles the answer must contain, read from the database (never typed in a test)."""
    from bot import data

    intent, slug = got.get("intent"), got.get("agency")
    if not slug or turn.get("intent") != intent:
        return []
    agency = data.agency(slug)
    if agency is None:
        return []
    if intent in {"measures"}:
        items = [m for m in data.measures(agency) if m.code != "ITA"]
        if got.get("indicator"):
            items = [m for m in items if got["indicator"] in m.indicators] or items
        elif got.get("issue_area"):
            items = [m for m in items if m.issue_area == got["issue_area"]] or items
        return [items[0].title[:12]] if items else []
    history = data.assessments(agency)
    chosen = next((a for a in history if a.fiscal_year == got.get("year")), None)
    if chosen is None:
        return []
    scores = {row.indicator_no: row.score for row in chosen.indicator_scores if row.score is not None}
    if intent == "total_score":
        return [f"{chosen.total_score:.2f}"]
    if intent == "indicator_score" and got.get("indicator") in scores:
        return [f"{scores[got['indicator']]:.2f}"]
    if intent == "weakest" and scores:
        return [f"{min(scores.values()):.2f}"]
    if intent == "strongest" and scores:
        return [f"{max(scores.values()):.2f}"]
    if intent == "all_indicators":
        return [f"{s:.2f}" for s in scores.values()]
    if intent == "below_threshold":
        threshold = float(got.get("threshold") or 85)
        return [f"{s:.2f}" for s in scores.values() if float(s) < threshold]
    if intent == "question_score":
        found = [q for q in chosen.question_scores if q.code == got.get("question")]
        return [f"{found[0].score:.2f}"] if found else []
    return []


def score(outcomes: list[Outcome]) -> tuple[int, int, float]:
    right = sum(1 for o in outcomes if o.ok)
    return right, len(outcomes), (right / len(outcomes) if outcomes else 0.0)
