"""Feedback statistics on rows inserted by hand: every expected number is worked out in the comments.

Times are written in Bangkok time (BKK) and stored in UTC, as the app stores them; the rows at the edges of
the fiscal year (Bangkok midnight, which is 17:00 UTC the day before) check that windows and months are
Bangkok's, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from models import (
    Agency,
    ChatMessage,
    Complaint,
    ComplaintUpdate,
    Conversation,
    Handoff,
    SurveyAnswer,
    SurveyResponse,
    db,
)
from models.feedback_stats import (
    complaint_stats,
    handoff_stats,
    participation_stats,
    periods_between,
    satisfaction_over_time,
)
from models.periods import BANGKOK, period_bounds, periods_of
from models.survey import questions_for

D = Decimal
FY = period_bounds("2569")  # 1 Oct 2025 – 1 Oct 2026, Bangkok
NUMBERS = itertools.count(100000)
CHATS = itertools.count(1)
MONTHS = periods_of(2569, "month")


def bkk(*parts) -> datetime:
    """A Bangkok wall-clock time, as the UTC the database stores."""
    return datetime(*parts, tzinfo=BANGKOK).astimezone(UTC)


def agency_id(slug):
    return db.session.scalar(select(Agency.id).where(Agency.slug == slug))


def conversation(channel="line", **context):
    chat = Conversation(channel=channel, chat_id=f"U{next(CHATS):032d}", context=context)
    db.session.add(chat)
    db.session.flush()
    return chat


def complaint(agency, lane, category, filed, status="received", updates=(), due=None, channel="line"):
    """A case filed at `filed`; updates are (status, hours after filing)."""
    case = Complaint(
        tracking_no=f"2569-{next(NUMBERS)}",
        agency_id=agency,
        lane=lane,
        category=category,
        description="x",
        status=status,
        filed_at=filed,
        updated_at=filed,
        due_at=due,
        channel=channel,
    )
    case.updates.append(ComplaintUpdate(status="received", created_at=filed))
    for new_status, hours in updates:
        case.updates.append(ComplaintUpdate(status=new_status, created_at=filed + timedelta(hours=hours)))
    db.session.add(case)
    return case


def by_month(**counts):
    """Every month of fiscal 2569 with its count: by_month(M02=3) → [('2569-M01', 0), ('2569-M02', 3), ...]."""
    return [(key, counts.get(key.split("-")[1], 0)) for key in MONTHS]


# ------------------------------------------------------------------------------------------------ periods


def test_periods_between_lists_bangkok_months_clipped_to_the_window():
    months = periods_between(*FY)
    assert [key for key, _, _ in months] == MONTHS
    assert months[0][1] == datetime(2025, 10, 1, tzinfo=BANGKOK)
    assert months[-1][2] == datetime(2026, 10, 1, tzinfo=BANGKOK)
    # A window inside a month gives that one month, clipped.
    inside = periods_between(bkk(2025, 11, 10), bkk(2025, 11, 20))
    assert inside == [("2569-M02", bkk(2025, 11, 10), bkk(2025, 11, 20))]
    assert [k for k, _, _ in periods_between(*FY, kind="quarter")] == ["2569-Q1", "2569-Q2", "2569-Q3", "2569-Q4"]
    assert periods_between(FY[1], FY[0]) == []


# --------------------------------------------------------------------------------------------- complaints


@pytest.fixture
def cases(demo):
    """Nam Mong's cases in and around fiscal 2569.

    in window  #  lane/category                 indicators  status       closing update     month
    yes        1  general service_delay         6           resolved     +29 h              M01 (00:30 BKK 1 Oct)
    no         2  general information           7           received     –                  (23:30 BKK 30 Sep: 2568)
    yes        3  general public_works          6, 8        in_progress  –, overdue         M02
    yes        4  general suggestion            8           rejected     +10 h (due passed) M02
    yes        5  general staff_conduct         6           resolved     +5 h (reopened,    M03
                                                                         resolved again +20 h)
    yes        6  corruption bribery            1, 6        forwarded    +48 h (whole days) M04
    yes        7  general other_general         6           received     – (due ahead)      M12 (23:59 BKK 30 Sep)
    yes        9  general information           7           in_progress  +3 h, reopened     M02
    no         8  another agency's case
    Closed with a closing update: 29, 10, 5, 48 h → median (10 + 29) / 2 = 19.5, mean 92 / 4 = 23.
    """
    with demo.app_context():
        nm, other = agency_id("nammong"), agency_id("nakhonphanom")
        complaint(
            nm, "general", "service_delay", bkk(2025, 10, 1, 0, 30), "resolved", [("in_progress", 2), ("resolved", 29)]
        )
        complaint(nm, "general", "information", bkk(2025, 9, 30, 23, 30))
        complaint(nm, "general", "public_works", bkk(2025, 11, 10, 10), "in_progress", [("in_progress", 1)],
                  due=bkk(2025, 11, 20))  # fmt: skip
        complaint(
            nm, "general", "suggestion", bkk(2025, 11, 11, 10), "rejected", [("rejected", 10)], due=bkk(2025, 11, 12)
        )
        complaint(nm, "general", "staff_conduct", bkk(2025, 12, 1, 7), "resolved",
                  [("resolved", 5), ("in_progress", 6), ("resolved", 20)])  # fmt: skip
        complaint(nm, "corruption", "bribery", bkk(2026, 1, 5), "forwarded", [("forwarded", 48)])
        complaint(nm, "general", "other_general", bkk(2026, 9, 30, 23, 59), due=bkk(2026, 10, 30))
        complaint(nm, "general", "information", bkk(2025, 11, 20), "in_progress", [("resolved", 3), ("in_progress", 4)])
        complaint(other, "general", "service_delay", bkk(2025, 11, 1), "resolved", [("resolved", 1)])
        db.session.commit()
        yield nm


def test_complaint_stats_counts_and_resolution_times(demo, cases):
    with demo.app_context():
        stats = complaint_stats(cases, *FY, now=bkk(2026, 1, 10))
    assert stats.total == 7
    assert stats.by_lane == {"general": 6, "corruption": 1}
    assert stats.by_category == {
        "service_delay": 1,
        "staff_conduct": 1,
        "unfair_treatment": 0,
        "information": 1,
        "public_works": 1,
        "suggestion": 1,
        "other_general": 1,
        "bribery": 1,
        "official_property": 0,
        "abuse_of_authority": 0,
        "procurement": 0,
        "conflict_of_interest": 0,
        "other_misconduct": 0,
    }
    assert stats.by_status == {"received": 1, "in_progress": 2, "resolved": 2, "rejected": 1, "forwarded": 1}
    # 6: #1 #3 #5 #6 #7 · 7: #9 · 8: #3 #4 · 1: #6 (a case counts for each indicator of its category)
    assert stats.by_indicator == {1: 1, 2: 0, 3: 0, 4: 0, 5: 0, 6: 5, 7: 1, 8: 2}
    assert stats.by_month == by_month(M01=1, M02=3, M03=1, M04=1, M12=1)
    assert stats.closed == 4
    assert stats.timed == 4
    assert stats.resolution_hours_median == D("19.50")
    assert stats.resolution_hours_mean == D("23.00")
    assert stats.open_overdue == 1  # #3; #4 is past due but closed, #7 is due later


def test_complaint_stats_by_lane_and_indicator(demo, cases):
    with demo.app_context():
        general = complaint_stats(cases, *FY, lanes=("general",), now=bkk(2026, 1, 10))
        ind8 = complaint_stats(cases, *FY, indicators=[8], now=bkk(2026, 1, 10))
        none = complaint_stats(cases, *FY, indicators=[10])
        november = complaint_stats(cases, *period_bounds("2569-M02"), now=bkk(2026, 1, 10))
    assert general.total == 6
    assert general.by_lane == {"general": 6, "corruption": 0}
    assert "bribery" not in general.by_category
    assert 1 not in general.by_indicator
    # Closed general cases: 29, 10, 5 h → median 10, mean 44 / 3 = 14.666… → 14.67
    assert (general.resolution_hours_median, general.resolution_hours_mean) == (D("10.00"), D("14.67"))
    # Indicator 8: #3 public_works and #4 suggestion.
    assert ind8.total == 2
    assert ind8.by_indicator == {8: 2}
    assert ind8.by_status["in_progress"] == 1 and ind8.by_status["rejected"] == 1
    assert ind8.resolution_hours_median == D("10.00")
    assert ind8.open_overdue == 1
    assert none.total == 0 and none.resolution_hours_median is None and none.resolution_hours_mean is None
    assert none.by_indicator == {}
    # November alone: #3, #4, #9; one month listed.
    assert november.total == 3
    assert november.by_month == [("2569-M02", 3)]


def test_complaint_stats_of_an_empty_year(demo, cases):
    with demo.app_context():
        stats = complaint_stats(cases, *period_bounds("2570"))
    assert stats.total == 0 and stats.closed == 0 and stats.open_overdue == 0
    assert set(stats.by_status.values()) == {0}
    assert stats.by_month == [(key, 0) for key in periods_of(2570, "month")]
    assert stats.resolution_hours_median is None


# ----------------------------------------------------------------------------------------------- handoffs


@pytest.fixture
def handoffs(demo):
    """Nam Mong's handoffs.

    H1 1 Oct 00:10 BKK  asked           answered +120 s  closed by staff    rated 5     M01
    H2 6 Oct            not_understood  answered +600 s  closed by citizen  rated 3     M01
    H3 1 Dec            asked           answered +60 s   open                           M03
    H4 1 Feb            asked           unanswered       closed idle                    M05
    H5 30 Sep 23:50 BKK (fiscal 2568) and H6 without an agency: not counted.
    Answered: 60, 120, 600 s → median 120, mean 780 / 3 = 260. Ratings 5, 3 → mean 4.
    """
    with demo.app_context():
        nm = agency_id("nammong")

        def handoff(opened, reason="asked", response=None, closed_by=None, rating=None, agency=nm):
            db.session.add(
                Handoff(
                    conversation_id=conversation().id,
                    agency_id=agency,
                    reason=reason,
                    status="closed" if closed_by else "open",
                    opened_at=opened,
                    last_activity_at=opened,
                    first_response_at=opened + timedelta(seconds=response) if response is not None else None,
                    closed_at=opened + timedelta(hours=1) if closed_by else None,
                    closed_by=closed_by,
                    rating=rating,
                )
            )

        handoff(bkk(2025, 10, 1, 0, 10), response=120, closed_by="staff", rating=5)
        handoff(bkk(2025, 10, 6, 9), "not_understood", response=600, closed_by="citizen", rating=3)
        handoff(bkk(2025, 12, 1, 9), response=60)
        handoff(bkk(2026, 2, 1, 9), closed_by="idle")
        handoff(bkk(2025, 9, 30, 23, 50), response=5, closed_by="staff", rating=1)
        handoff(bkk(2025, 11, 1, 9), response=5, agency=None)
        db.session.commit()
        yield nm


def test_handoff_stats(demo, handoffs):
    with demo.app_context():
        stats = handoff_stats(handoffs, *FY)
    assert (stats.opened, stats.closed, stats.still_open) == (4, 3, 1)
    assert stats.by_reason == {"asked": 3, "not_understood": 1}
    assert stats.by_closed_by == {"staff": 1, "citizen": 1, "idle": 1}
    assert stats.answered == 3
    assert stats.first_response_seconds_median == D("120.00")
    assert stats.first_response_seconds_mean == D("260.00")
    assert (stats.rated, stats.rating_mean) == (2, D("4.00"))
    assert stats.by_month == by_month(M01=2, M03=1, M05=1)


def test_handoff_stats_even_count_median_and_empty(demo, handoffs):
    with demo.app_context():
        october = handoff_stats(handoffs, *period_bounds("2569-M01"))
        empty = handoff_stats(handoffs, *period_bounds("2570"))
    assert october.opened == 2
    assert october.first_response_seconds_median == D("360.00")  # (120 + 600) / 2
    assert empty.opened == 0 and empty.first_response_seconds_median is None and empty.rating_mean is None
    assert empty.by_reason == {"asked": 0, "not_understood": 0}


# ------------------------------------------------------------------------------------------- satisfaction


def respond(agency, completed, scores, status="complete", chat=None):
    """A response whose answers are the given scores, in question order."""
    questions = questions_for(agency)
    db.session.add(
        SurveyResponse(
            agency_id=agency,
            conversation_id=chat.id if chat else None,
            period="2569",
            status=status,
            channel=chat.channel if chat else "line",
            started_at=completed or bkk(2025, 11, 1),
            completed_at=completed,
            answers=[SurveyAnswer(question_id=q.id, score=s) for q, s in zip(questions, scores, strict=False)],
        )
    )


@pytest.fixture
def survey(demo):
    """Nam Mong's complete responses (14 questions each unless said):

    15 Oct  all 4                      Oct: 2 responses, (14×4 + 14×2) / 28 = 3.00
    20 Oct  all 2
    5 Nov   only e1=5, e2=4 answered   Nov: 1 response, 9 / 2 = 4.50
    a partial response in Nov, one completed 23:00 BKK 30 Sep (fiscal 2568), one of another agency: not counted.
    Q1: 3 responses, (56 + 28 + 9) / 30 = 3.10.
    """
    with demo.app_context():
        nm = agency_id("nammong")
        n = len(questions_for(nm))
        assert n == 14
        respond(nm, bkk(2025, 10, 15, 9), [4] * n)
        respond(nm, bkk(2025, 10, 20, 9), [2] * n)
        respond(nm, bkk(2025, 11, 5, 9), [5, 4])
        respond(nm, None, [1, 1], status="partial")
        respond(nm, bkk(2025, 9, 30, 23), [1] * n)
        respond(agency_id("nakhonphanom"), bkk(2025, 10, 15), [1] * n)
        db.session.commit()
        yield nm


def test_satisfaction_over_time(demo, survey):
    with demo.app_context():
        monthly = satisfaction_over_time(survey, *FY)
        quarterly = satisfaction_over_time(survey, *FY, kind="quarter")
        yearly = satisfaction_over_time(survey, *FY, kind="fiscal_year")
    assert [p.period for p in monthly] == MONTHS
    assert (monthly[0].responses, monthly[0].mean) == (2, D("3.00"))
    assert (monthly[1].responses, monthly[1].mean) == (1, D("4.50"))
    assert all(p.responses == 0 and p.mean is None for p in monthly[2:])
    assert [(p.period, p.responses, p.mean) for p in quarterly] == [
        ("2569-Q1", 3, D("3.10")),
        ("2569-Q2", 0, None),
        ("2569-Q3", 0, None),
        ("2569-Q4", 0, None),
    ]
    assert [(p.period, p.responses, p.mean) for p in yearly] == [("2569", 3, D("3.10"))]


# ------------------------------------------------------------------------------------------ participation


@pytest.fixture
def participation(demo):
    """Who took part with Nam Mong in fiscal 2569:

    C1 line, talks about nammong: 3 messages in (1 more before the year, 1 out), a complete survey
    C2 web, talks about nakhonphanom: 2 messages in (not Nam Mong's questions), a general complaint to Nam Mong
    C3 line, no agency talked about: 1 message in (not counted), a handoff
    C4 line, talks about nammong: 1 message in, a general complaint and a handoff
    C5 line: a partial survey only (not counted)
    plus a complete response whose conversation was erased, and a corruption report (web) with no conversation.
    Participants C1–C4 = 4 (line 3, web 1); questions 3 + 1 = 4 from 2 conversations; survey responses 2;
    general complaints 2; handoffs 2; corruption reports 1.
    """
    with demo.app_context():
        nm = agency_id("nammong")
        c1, c4 = conversation(agency="nammong"), conversation(agency="nammong")
        c2, c3, c5 = conversation("web", agency="nakhonphanom"), conversation(), conversation()

        def says(chat, when, direction="in"):
            db.session.add(
                ChatMessage(conversation_id=chat.id, direction=direction, kind="text", text="x", created_at=when)
            )

        for day in (2, 3, 4):
            says(c1, bkk(2025, 10, day, 9))
        says(c1, bkk(2025, 9, 30, 9))
        says(c1, bkk(2025, 10, 2, 9), "out")
        says(c2, bkk(2025, 10, 2, 9))
        says(c2, bkk(2025, 10, 3, 9))
        says(c3, bkk(2025, 10, 5, 9))
        says(c4, bkk(2026, 3, 5, 9))
        respond(nm, bkk(2025, 10, 2, 10), [5] * 14, chat=c1)
        respond(nm, None, [3], status="partial", chat=c5)
        respond(nm, bkk(2025, 10, 9, 10), [4] * 14)
        for chat in (c2, c4):
            case = complaint(nm, "general", "service_delay", bkk(2025, 12, 1, 9), channel=chat.channel)
            case.conversation_id = chat.id
        complaint(nm, "corruption", "procurement", bkk(2026, 1, 5), channel="web")
        for chat in (c3, c4):
            opened = bkk(2026, 2, 1, 9)
            db.session.add(
                Handoff(
                    conversation_id=chat.id, agency_id=nm, reason="asked", opened_at=opened, last_activity_at=opened
                )
            )
        db.session.commit()
        yield nm


def test_participation_stats(demo, participation):
    with demo.app_context():
        stats = participation_stats(participation, *FY)
    assert stats.participants == 4
    assert stats.by_channel == {"line": 3, "web": 1}
    assert (stats.questions, stats.asked) == (4, 2)
    assert stats.survey_responses == 2
    assert stats.complaints_general == 2
    assert stats.handoffs == 2
    assert stats.corruption_reports == 1
    assert stats.corruption_by_channel == {"line": 0, "web": 1}


def test_participation_on_an_oa_fixed_to_the_agency_counts_every_question(nammong_oa, participation):
    # Every conversation is the OA's own: C2's 2 and C3's 1 messages count too, and C2 C3 were already in.
    with nammong_oa.app_context():
        stats = participation_stats(participation, *FY)
        other = participation_stats(agency_id("nakhonphanom"), *FY)
    assert (stats.questions, stats.asked, stats.participants) == (7, 4, 4)
    # Another agency on that OA gets no questions (nor anything else here).
    assert (other.questions, other.participants) == (0, 0)


def test_participation_of_an_empty_window(demo, participation):
    with demo.app_context():
        stats = participation_stats(participation, *period_bounds("2570"))
    assert stats.participants == 0 and stats.by_channel == {"line": 0, "web": 0}
    assert (stats.questions, stats.survey_responses, stats.corruption_reports, stats.handoffs) == (0, 0, 0, 0)
