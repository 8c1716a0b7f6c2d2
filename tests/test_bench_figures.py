"""The bench's own arithmetic: what it reports as out of order is what a citizen would have seen."""

from __future__ import annotations

from bench.load import Item, Outcome, out_of_order


def _outcome(user: str, sent: float, answered: float | None) -> Outcome:
    item = Item(id=0, client=0, user=user, text="", body=b"", signature="", token=f"{user}:{sent}")
    return Outcome(item=item, sent_at=sent, acked_at=sent, status=200, answered_at=answered)


def test_answers_in_the_order_asked_are_not_counted():
    outcomes = [_outcome("A", 1, 2), _outcome("A", 3, 4), _outcome("B", 1.5, 5), _outcome("B", 2, 6)]
    assert out_of_order(outcomes) == 0


def test_an_answer_before_the_answer_to_an_earlier_message_of_the_same_user_is_counted():
    outcomes = [_outcome("A", 1, 5), _outcome("A", 2, 3), _outcome("A", 3, 4), _outcome("B", 1, 1.5)]
    assert out_of_order(outcomes) == 2  # both later messages were answered before the first


def test_other_users_and_unanswered_messages_do_not_count():
    outcomes = [_outcome("A", 1, 5), _outcome("B", 2, 3), _outcome("A", 3, None)]
    assert out_of_order(outcomes) == 0
