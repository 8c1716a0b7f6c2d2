"""Survey statistics on a known set of responses: every expected number is worked out by hand below."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from models import Agency, Conversation, SurveyAnswer, SurveyResponse, db
from models.periods import period_bounds
from models.survey import questions_for
from models.survey_stats import published_count, survey_summary

# The default questions: indicator 6 e1 e2 e3 e5 · indicator 7 e6–e10 · indicator 8 e11–e15.
IND6 = ("e1", "e2", "e3", "e5")
IND7 = ("e6", "e7", "e8", "e9", "e10")
IND8 = ("e11", "e12", "e13", "e14", "e15")


def scores(ind6, ind7, ind8):
    return dict(zip(IND6 + IND7 + IND8, ind6 + ind7 + ind8, strict=True))


# Nam Mong, fiscal year 2568: three complete responses in three periods of the year, ...
A = scores((5, 4, 5, 3), (4, 4, 4, 4, 5), (2, 2, 2, 2, 2))
B = scores((4, 4, 3, 3), (3, 4, 3, 4, 5), (1, 1, 1, 1, 1))
C = scores((3, 4, 3, 3), (5, 4, 5, 4, 5), (3, 3, 3, 3, 3))
# ... one citizen who stopped after e2, and one complete response in the year before.
PARTIAL = {"e1": 1, "e2": 1}
OLD = dict.fromkeys(IND6 + IND7 + IND8, 5)
D = Decimal
CHATS = itertools.count(1)


def agency(slug):
    return db.session.scalar(select(Agency).where(Agency.slug == slug))


# The EIT indicator scores the seeds publish (models/demo/*.yaml), typed in as a reader would check them.
OFFICIAL = {
    ("nammong", 2568): {6: D("94.25"), 7: D("90.42"), 8: D("90.50")},
    ("narathiwat", 2566): {6: D("92.33"), 7: D("91.81"), 8: D("90.23")},
}


def official(slug, year, number):
    return OFFICIAL[(slug, year)][number]


def respond(agency_id, period, answers, complete=True):
    by_code = {q.code: q for q in questions_for(agency_id)}
    conversation = Conversation(channel="web", chat_id=f"user:survey-{next(CHATS)}")
    db.session.add(conversation)
    db.session.flush()
    db.session.add(
        SurveyResponse(
            agency_id=agency_id,
            conversation_id=conversation.id,
            period=period,
            status="complete" if complete else "partial",
            channel="web",
            completed_at=datetime(2025, 1, 15, tzinfo=UTC) if complete else None,
            answers=[SurveyAnswer(question_id=by_code[code].id, score=score) for code, score in answers.items()],
        )
    )


@pytest.fixture
def nammong(demo):
    with demo.app_context():
        nammong = agency("nammong")
        respond(nammong.id, "2568", A)
        respond(nammong.id, "2568-Q1", B)
        respond(nammong.id, "2568-Q2", C)
        respond(nammong.id, "2568-Q1", PARTIAL, complete=False)
        respond(nammong.id, "2567", OLD)
        db.session.commit()
        yield nammong.id


def test_the_default_questions_are_the_ones_the_answers_assume(nammong):
    assert [q.code for q in questions_for(nammong)] == list(IND6 + IND7 + IND8)


def test_questions_over_a_fiscal_year_count_complete_responses_only(nammong):
    summary = survey_summary(nammong, fiscal_year=2568)
    assert (summary.responses, summary.partial, summary.counted) == (3, 1, 3)
    assert [q.code for q in summary.questions] == list(IND6 + IND7 + IND8)
    e1 = summary.question("e1")  # 5, 4, 3: the partial's 1 is left out
    assert (e1.indicator, e1.count, e1.mean, e1.mapped) == (6, 3, D("4.00"), D("75.00"))
    assert e1.distribution == {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}
    e3 = summary.question("e3")  # 5, 3, 3 = 11/3 = 3.666… → (8/3) / 4 × 100 = 66.666…
    assert (e3.count, e3.mean, e3.mapped) == (3, D("3.67"), D("66.67"))
    assert e3.distribution == {1: 0, 2: 0, 3: 2, 4: 0, 5: 1}
    e10 = summary.question("e10")  # 5, 5, 5
    assert (e10.mean, e10.mapped, e10.distribution[5]) == (D("5.00"), D("100.00"), 3)
    e11 = summary.question("e11")  # 2, 1, 3
    assert (e11.mean, e11.mapped, e11.distribution) == (D("2.00"), D("25.00"), {1: 1, 2: 1, 3: 1, 4: 0, 5: 0})
    assert summary.question("e1").text("en").startswith("Did the agency serve you")


def test_indicator_estimates_over_a_fiscal_year(nammong):
    summary = survey_summary(nammong, fiscal_year=2568)
    six, seven, eight = (summary.indicator(n) for n in (6, 7, 8))
    # 6: e1 75, e2 75, e3 66.666…, e5 50 → 266.666… / 4 = 66.666…; answers 5+4+3+4+3+3+4+4+3+3+3+3 = 44 / 12 = 3.666…
    # (rounding the question means first would give 3.67 → 66.75, (75 + 75 + 66.75 + 50) / 4 = 66.69: it is not done).
    assert (six.answers, six.respondents, six.mean, six.estimate) == (12, 3, D("3.67"), D("66.67"))
    # 7: e6 4,3,5 e7 4,4,4 e8 4,3,5 e9 4,4,4 → 75 each; e10 → 100; (4 × 75 + 100) / 5 = 80; answers 63 / 15 = 4.2
    assert (seven.answers, seven.respondents, seven.mean, seven.estimate) == (15, 3, D("4.20"), D("80.00"))
    # 8: every question 2, 1, 3 → 2.00 → 25
    assert (eight.answers, eight.respondents, eight.mean, eight.estimate) == (15, 3, D("2.00"), D("25.00"))


def test_estimates_beside_the_official_scores_of_that_year(nammong):
    summary = survey_summary(nammong, fiscal_year=2568)
    for number, estimate in ((6, D("66.67")), (7, D("80.00")), (8, D("25.00"))):
        score = official("nammong", 2568, number)
        row = summary.indicator(number)
        assert (row.official, row.difference) == (score, estimate - score)


def test_partial_responses_are_counted_on_request(nammong):
    summary = survey_summary(nammong, fiscal_year=2568, include_partial=True)
    assert (summary.responses, summary.partial, summary.counted) == (3, 1, 4)
    e1 = summary.question("e1")  # 5, 4, 3, 1 = 13 / 4 = 3.25 → 56.25
    assert (e1.count, e1.mean, e1.mapped, e1.distribution) == (4, D("3.25"), D("56.25"), {1: 1, 2: 0, 3: 1, 4: 1, 5: 1})
    assert summary.question("e3").count == 3  # the partial stopped before e3
    six = summary.indicator(6)
    # Unweighted over questions: (56.25 + 56.25 + 66.666… + 50) / 4 = 229.1666… / 4 = 57.2916…;
    # weighting by answers would give ((5+4+3+1 + 4+4+4+1 + 11 + 9) / 14 − 1) / 4 × 100 = (46/14 − 1) × 25 = 57.14.
    assert (six.answers, six.respondents, six.mean, six.estimate) == (14, 4, D("3.29"), D("57.29"))
    assert summary.indicator(7).respondents == 3  # the partial answered nothing under 7


def test_an_exact_period_is_not_a_prefix(nammong):
    only_a = survey_summary(nammong, period="2568")
    assert (only_a.responses, only_a.partial) == (1, 0)
    assert only_a.question("e1").distribution == {1: 0, 2: 0, 3: 0, 4: 0, 5: 1}
    q1 = survey_summary(nammong, period="2568-Q1")  # B, and the partial
    assert (q1.responses, q1.partial) == (1, 1)
    assert q1.indicator(8).estimate == D("0.00")  # all 1s: the bottom of the scale is 0, not "no estimate"
    assert q1.indicator(6).official == official("nammong", 2568, 6)  # the period's fiscal year
    assert survey_summary(nammong, period="2568-Q3").responses == 0


def test_a_year_without_an_assessment_and_all_years(nammong):
    old = survey_summary(nammong, fiscal_year=2567)
    assert (old.responses, old.partial) == (1, 0)
    assert [(i.estimate, i.official, i.difference) for i in old.indicators] == [(D("100.00"), None, None)] * 3
    everything = survey_summary(nammong)
    assert (everything.responses, everything.partial) == (4, 1)
    assert everything.question("e10").distribution[5] == 4
    assert everything.indicator(6).official is None  # no year asked for, nothing to compare with


def test_a_span_of_time_with_the_official_scores_of_a_year_named_apart(nammong):
    # Every complete response here was given on 15 Jan 2025 (fiscal 2568), whatever period it was filed under:
    # A, B, C and OLD (filed under 2567). The partial one was started today, outside the span.
    start, end = period_bounds("2568")
    span = survey_summary(nammong, start=start, end=end, official_year=2568)
    assert (span.responses, span.partial) == (4, 0)
    assert span.question("e10").distribution[5] == 4  # A, B, C and OLD all gave e10 a 5
    assert span.indicator(6).official == official("nammong", 2568, 6)
    assert survey_summary(nammong, start=start, end=end).indicator(6).official is None  # no year named
    assert survey_summary(nammong, start=end, official_year=2568).responses == 0


def test_an_agency_without_responses(nammong):
    other = agency("narathiwat").id
    summary = survey_summary(other, fiscal_year=2566)
    assert (summary.responses, summary.partial, summary.counted) == (0, 0, 0)
    assert len(summary.questions) == 14
    for q in summary.questions:
        assert (q.count, q.mean, q.mapped, q.distribution) == (0, None, None, {1: 0, 2: 0, 3: 0, 4: 0, 5: 0})
    for number in (6, 7, 8):
        row = summary.indicator(number)
        assert (row.answers, row.respondents, row.mean, row.estimate, row.difference) == (0, 0, None, None, None)
        assert row.official == official("narathiwat", 2566, number)


@pytest.mark.parametrize(
    ("n", "shown"),
    [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (999, "999"), (1000, "1,000"), (1234567, "1,234,567")],
)
def test_published_count(n, shown):
    assert published_count(n) == shown


def test_published_count_refuses_a_negative_count():
    with pytest.raises(ValueError):
        published_count(-1)
