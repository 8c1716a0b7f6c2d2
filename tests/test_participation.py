"""Participation evidence on a measure and the progress reports: every expected number worked out by hand below.

Nam Mong's measure 6 (fiscal year 2569, indicator 6, answering ITA 2568 where indicator 6 scored 94.25).
In the first half of 2569 (1 Oct 2568 – 31 Mar 2569):
  survey   R1 (LINE chat A) indicator 6 e1 e2 e3 e5 = 5 4 5 3, R2 (web chat B) = 4 4 3 3, both complete;
           a partial response (not counted); R3 complete in May 2569 (second half) with every answer 1.
           Indicator 6: 8 answers, 2 respondents, mean 31/8 = 3.875 → 3.88. Question means e1 4.5, e2 4, e3 4,
           e5 3 → on 0–100: 87.5, 75, 75, 50 → estimate 287.5/4 = 71.875 → 71.88.
  complaints C1 service_delay (6) filed 2 Nov 10:00 UTC, resolved 16:00 → 6 hours; C2 staff_conduct (6) in
           progress; C3 information (7: not this measure's); C4 corruption bribery (1, 6) received;
           C5 service_delay filed in April (second half).
           → total 3: service_delay 1, staff_conduct 1, bribery 1; received 1, in_progress 1, resolved 1;
             closed 1; median 6.00 hours.
  people   A asked the bot once and answered R1; B answered R2; C filed C1; D filed C2 and C3: 4 participants,
           LINE 3 (A, C, D), web 1 (B); 1 question; 2 surveys; 3 general complaints; 1 corruption report.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from models import (
    Agency,
    ChatMessage,
    Complaint,
    ComplaintUpdate,
    Conversation,
    Measure,
    ProgressEntry,
    SurveyAnswer,
    SurveyResponse,
    db,
)
from models.participation import (
    ParticipationError,
    attach_participation,
    draft_narrative,
    participation_evidence,
    period_label,
    progress_report,
)
from models.survey import questions_for
from tests.citizen import Citizen
from tests.test_complaint_flow import file_general

IND6 = ("e1", "e2", "e3", "e5")
SEQ = itertools.count(1)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def agency(slug: str) -> Agency:
    return db.session.scalar(select(Agency).where(Agency.slug == slug))


def measure(slug: str, code: str, year: int = 2569) -> Measure:
    return db.session.scalar(
        select(Measure).join(Agency).where(Agency.slug == slug, Measure.code == code, Measure.fiscal_year == year)
    )


def conversation(channel: str = "line") -> Conversation:
    row = Conversation(channel=channel, chat_id=f"U{next(SEQ):032d}" if channel == "line" else f"user:{next(SEQ)}")
    db.session.add(row)
    db.session.flush()
    return row


def respond(agency_id: int, chat: Conversation | None, when: datetime, ind6: tuple, rest: int = 3, complete=True):
    """A survey response given at `when`: indicator 6 answers as listed, every other question `rest`."""
    chat = chat or conversation()
    answers = []
    for q in questions_for(agency_id):
        score = dict(zip(IND6, ind6, strict=True)).get(q.code, rest)
        answers.append(SurveyAnswer(question_id=q.id, score=score))
    if not complete:
        answers = answers[:2]
    db.session.add(
        SurveyResponse(
            agency_id=agency_id,
            conversation_id=chat.id,
            period="2569",  # the survey runs yearly: the period key says nothing of the half
            status="complete" if complete else "partial",
            channel=chat.channel,
            started_at=when,
            completed_at=when if complete else None,
            answers=answers,
        )
    )
    return chat


def complain(agency_id, chat, lane, category, filed, status="received", closed_at=None) -> Complaint:
    row = Complaint(
        tracking_no=f"2569-{next(SEQ):06d}",
        agency_id=agency_id,
        lane=lane,
        category=category,
        conversation_id=chat.id if chat is not None else None,
        description="ข้อความทดสอบ",
        status=status,
        filed_at=filed,
        channel="line",
    )
    db.session.add(row)
    db.session.flush()
    if closed_at is not None:
        db.session.add(ComplaintUpdate(complaint_id=row.id, status=status, created_at=closed_at))
    return row


def first_half_data(agency_id: int) -> None:
    """The rows of the module docstring."""
    a, b, c, d = conversation("line"), conversation("web"), conversation("line"), conversation("line")
    db.session.add(ChatMessage(conversation_id=a.id, direction="in", kind="text", created_at=at(2025, 11, 1, 3)))
    respond(agency_id, a, at(2025, 11, 20, 4), (5, 4, 5, 3))
    respond(agency_id, b, at(2026, 1, 10, 4), (4, 4, 3, 3))
    respond(agency_id, None, at(2026, 2, 1, 4), (1, 1, 1, 1), complete=False)
    respond(agency_id, None, at(2026, 5, 5, 4), (1, 1, 1, 1), rest=1)
    complain(agency_id, c, "general", "service_delay", at(2025, 11, 2, 10), "resolved", at(2025, 11, 2, 16))
    complain(agency_id, d, "general", "staff_conduct", at(2025, 12, 3, 2), "in_progress")
    complain(agency_id, d, "general", "information", at(2025, 12, 4, 2))
    complain(agency_id, None, "corruption", "bribery", at(2026, 1, 5))
    complain(agency_id, conversation(), "general", "service_delay", at(2026, 4, 2, 2))


@pytest.fixture
def nammong(nammong_oa):
    with nammong_oa.app_context():
        first_half_data(agency("nammong").id)
        db.session.commit()
    return nammong_oa


def test_evidence_of_the_first_half_counts_what_happened_in_it(nammong):
    with nammong.app_context():
        ev = participation_evidence(measure("nammong", "6"), "2569-H1")
        assert json.loads(json.dumps(ev)) == ev  # JSON-ready as it is
        assert (ev["period"], ev["start"], ev["end"], ev["complete"]) == ("2569-H1", "2025-10-01", "2026-03-31", True)
        assert ev["period_label"] == "รอบ 6 เดือนแรก ปีงบประมาณ พ.ศ. 2569"
        assert ev["indicators"] == [6]

        survey = ev["survey"]
        assert survey["responses"] == 2 and survey["baseline_year"] == 2568
        assert survey["indicators"] == [
            {
                "indicator": 6,
                "respondents": 2,
                "answers": 8,
                "mean": "3.88",
                "estimate": "71.88",
                "baseline": "94.25",
            }
        ]
        questions = {q["code"]: (q["count"], q["mean"]) for q in survey["questions"]}
        assert questions == {"e1": (2, "4.50"), "e2": (2, "4.00"), "e3": (2, "4.00"), "e5": (2, "3.00")}
        assert all(q["text_th"] for q in survey["questions"])

        complaints = ev["complaints"]
        assert complaints["total"] == 3
        assert {k: v for k, v in complaints["by_category"].items() if v} == {
            "service_delay": 1,
            "staff_conduct": 1,
            "bribery": 1,
        }
        assert "information" not in complaints["by_category"]  # indicator 7: another measure's
        assert {k: v for k, v in complaints["by_status"].items() if v} == {
            "received": 1,
            "in_progress": 1,
            "resolved": 1,
        }
        assert complaints["closed"] == 1 and complaints["resolution_hours_median"] == "6.00"

        assert ev["participation"] == {
            "participants": 4,
            "by_channel": {"line": 3, "web": 1},
            "survey_responses": 2,
            "complaints_general": 3,
            "corruption_reports": 1,
            "handoffs": 0,
            "questions": 1,
        }


def test_the_whole_year_takes_in_the_second_half_too(nammong):
    with nammong.app_context():
        ev = participation_evidence(measure("nammong", "6"), "2569")
        assert ev["survey"]["responses"] == 3
        row = ev["survey"]["indicators"][0]
        assert (row["respondents"], row["answers"], row["mean"]) == (3, 12, "2.92")  # (31 + 4) / 12
        assert ev["complaints"]["total"] == 4 and ev["complaints"]["by_category"]["service_delay"] == 2


def test_a_measure_without_indicators_still_gets_participants_and_channels(nammong):
    with nammong.app_context():
        m = measure("nammong", "6")
        m.indicator_links.clear()
        ev = participation_evidence(m, "2569-H1")
        assert ev["survey"] is None and ev["complaints"] is None
        assert ev["participation"]["participants"] == 4
        db.session.rollback()


def test_a_measure_of_non_eit_indicators_has_complaints_but_no_survey(nammong):
    with nammong.app_context():
        ev = participation_evidence(measure("nammong", "1"), "2569-H1")  # indicator 1
        assert ev["survey"] is None
        assert ev["complaints"]["by_category"] == {"bribery": 1, "conflict_of_interest": 0}


def test_the_draft_narrative_reads_the_figures_as_published(nammong):
    with nammong.app_context():
        m = measure("nammong", "6")
        text = draft_narrative(participation_evidence(m, "2569-H1"), m.agency.name_th)
        assert text.startswith(
            "ในรอบ 6 เดือนแรก ปีงบประมาณ พ.ศ. 2569 (1 ต.ค. 2568 – 31 มี.ค. 2569) องค์การบริหารส่วนตำบลน้ำโมง"
        )
        assert "ผ่านช่องทาง LINE Official Account และ แชตบนเว็บไซต์" in text
        assert "รวม <5 คน" in text  # 4 participants: too few to publish as a number
        # 2 people answered: their mean would tell what they said, so it is not published (nor the estimate)
        assert "ตัวชี้วัดที่ 6 คุณภาพการดำเนินงาน มีผู้ตอบน้อยกว่า 5 คน จึงไม่เผยแพร่ค่าเฉลี่ย" in text
        assert "3.88" not in text and "71.88" not in text
        assert "ค่ามัธยฐาน) 6.00 ชั่วโมง" in text
        assert participation_evidence(m, "2569-H1")["survey"]["indicators"][0]["mean"] == "3.88"  # kept exact


def test_the_draft_publishes_the_mean_once_five_people_answered(nammong):
    with nammong.app_context():
        for day in range(1, 4):
            respond(agency("nammong").id, None, at(2026, 3, day, 4), (4, 4, 4, 4))
        m = measure("nammong", "6")
        text = draft_narrative(participation_evidence(m, "2569-H1"), m.agency.name_th)
        db.session.rollback()
    # (17 + 14 + 3 x 16) / 20 answers = 3.95; questions 4.2, 4.0, 4.0, 3.6 -> 80, 75, 75, 65 -> 73.75
    assert "ค่าเฉลี่ย 3.95 จาก 5 คะแนน (เทียบเป็นคะแนนประมาณการ 73.75 คะแนน)" in text
    assert "ITA ปี 2568 ได้ 94.25 คะแนน" in text and "น้อยกว่า 5 คน" not in text


def test_attaching_freezes_the_figures_and_later_data_change_nothing(nammong):
    with nammong.app_context():
        m = measure("nammong", "6")
        entry = attach_participation(m, "2569-H1", "  ผลการดำเนินการ  ", None)
        db.session.commit()
        entry_id, frozen = entry.id, json.dumps(entry.evidence, sort_keys=True)
        assert entry.kind == "participation" and entry.status == "done" and entry.period == "2569-H1"
        assert entry.step == "การมีส่วนร่วมของประชาชน รอบ 6 เดือนแรก ปีงบประมาณ พ.ศ. 2569"
        assert entry.step_no == len(m.steps) + 1 and entry.report == "ผลการดำเนินการ"
        assert entry.agency_period == "1 ต.ค. 2568 – 31 มี.ค. 2569"
        assert "ผู้มีส่วนร่วม <5 คน" in entry.result

        nammong_id = m.agency_id
        for _ in range(3):
            respond(nammong_id, None, at(2026, 3, 1, 4), (5, 5, 5, 5))
        complain(nammong_id, conversation(), "general", "staff_conduct", at(2026, 3, 2, 2))
        db.session.commit()
        db.session.expire_all()

        again = db.session.get(ProgressEntry, entry_id)
        assert json.dumps(again.evidence, sort_keys=True) == frozen
        assert again.evidence["survey"]["responses"] == 2
        fresh = participation_evidence(measure("nammong", "6"), "2569-H1")
        assert fresh["survey"]["responses"] == 5 and fresh["complaints"]["total"] == 4


def test_a_period_attached_twice_is_refused_unless_replaced_explicitly(nammong):
    with nammong.app_context():
        m = measure("nammong", "6")
        first = attach_participation(m, "2569-H1", "ครั้งแรก", None)
        db.session.commit()
        with pytest.raises(ParticipationError) as refused:
            attach_participation(m, "2569-H1", "ครั้งที่สอง", None)
        assert refused.value.code == "already_attached"
        db.session.rollback()
        assert [e.report for e in m.progress if e.kind == "participation"] == ["ครั้งแรก"]

        respond(m.agency_id, None, at(2026, 3, 1, 4), (5, 5, 5, 5))
        second = attach_participation(m, "2569-H1", "แทนที่", None, replace=True)
        db.session.commit()
        entries = [e for e in m.progress if e.kind == "participation"]
        assert entries == [second] and second is not first  # (SQLite may hand out the freed id again)
        assert second.evidence["survey"]["responses"] == 3
        other = attach_participation(m, "2569-Q3", None, None)  # another period: a further step
        assert other.step_no == second.step_no + 1


def test_periods_outside_the_measures_year_or_not_begun_are_refused(nammong):
    with nammong.app_context():
        m = measure("nammong", "6")
        with pytest.raises(ParticipationError) as outside:
            attach_participation(m, "2570-H1", None, None)
        assert outside.value.code == "period_outside"
        with pytest.raises(ParticipationError):
            attach_participation(m, "2569-M02", None, None)  # months are too fine for a measure's record
        with pytest.raises(ValueError):
            participation_evidence(m, "2569-H3")
        future = Measure(agency_id=m.agency_id, fiscal_year=2599, code="F", title="อนาคต", steps=[])
        db.session.add(future)
        db.session.flush()
        with pytest.raises(ParticipationError) as not_begun:
            attach_participation(future, "2599-H1", None, None)
        assert not_begun.value.code == "period_future"
        assert not [e for e in m.progress if e.kind == "participation"]


def test_period_labels_in_both_languages():
    assert period_label("2569") == "ปีงบประมาณ พ.ศ. 2569"
    assert period_label("2569-H2") == "รอบ 6 เดือนหลัง ปีงบประมาณ พ.ศ. 2569"
    assert period_label("2569-Q2") == "ไตรมาสที่ 2 ปีงบประมาณ พ.ศ. 2569"
    assert period_label("2569-M02") == "เดือนพฤศจิกายน 2568 (ปีงบประมาณ พ.ศ. 2569)"
    assert period_label("2569-H1", "en") == "first six months of fiscal year 2569 B.E."
    assert period_label("2569-M02", "en") == "November 2025 (fiscal year 2569 B.E.)"


# --- progress reports ---------------------------------------------------------------------------------


def add_steps(m: Measure) -> None:
    m.progress.append(
        ProgressEntry(step_no=1, step=m.steps[0], status="done", result="ทำแล้ว", reported_on=date(2026, 1, 10))
    )
    m.progress.append(
        ProgressEntry(step_no=2, step=m.steps[1], status="in_progress", result="กำลังทำ", reported_on=date(2026, 6, 1))
    )


def test_the_six_month_report_keeps_to_its_window_and_the_annual_takes_the_year(nammong):
    with nammong.app_context():
        m6, m2 = measure("nammong", "6"), measure("nammong", "2")
        assert len(m2.steps) == 6
        add_steps(m2)
        for period in ("2569-Q3", "2569-H1", "2569", "2569-Q1"):
            attach_participation(m6, period, f"คำบรรยาย {period}", None)
        db.session.commit()

        half = progress_report(m6.agency_id, 2569, "half")
        assert (half.start, half.end, half.as_of) == (date(2025, 10, 1), date(2026, 3, 31), date(2026, 3, 31))
        assert half.title() == (
            "รายงานข้อมูลการดำเนินการตามมาตรการส่งเสริมคุณธรรมและความโปร่งใสภายในหน่วยงาน ประจำปีงบประมาณ พ.ศ. 2569 (รอบ 6 เดือน)"
        )
        codes = [mp.measure.code for mp in half.measures]
        assert codes == sorted(codes, key=int) and len(codes) == 10  # Nam Mong's ten measures of 2569, 1…10
        by_code = {mp.measure.code: mp for mp in half.measures}
        assert [e.period for e in by_code["6"].participation] == ["2569-Q1", "2569-H1"]
        two = by_code["2"]
        assert (two.done, two.total) == (1, 6)
        assert [(r.step_no, r.status, r.late) for r in two.steps] == [
            (1, "done", False),
            (2, "in_progress", True),  # reported in June: after the six months
            (3, None, False),
            (4, None, False),
            (5, None, False),
            (6, None, False),
        ]
        assert two.steps[0].result == "ทำแล้ว" and two.steps[2].step == m2.steps[2]

        year = progress_report(m6.agency_id, 2569, "year")
        assert (year.end, year.as_of) == (date(2026, 9, 30), date(2026, 9, 30))
        assert [e.period for e in {mp.measure.code: mp for mp in year.measures}["6"].participation] == [
            "2569-Q1",
            "2569-H1",
            "2569-Q3",
            "2569",
        ]
        assert not {mp.measure.code: mp for mp in year.measures}["2"].steps[1].late
        assert year.done == half.done == 1
        with pytest.raises(ValueError):
            progress_report(m6.agency_id, 2569, "quarter")


def test_a_report_of_the_year_under_way_is_as_of_today(nammong):
    with nammong.app_context():
        report = progress_report(agency("nammong").id, 2599, "year")
        assert report.measures == [] and report.as_of < date(2598, 10, 1)


# --- the real path: a citizen on LINE -----------------------------------------------------------------


def test_a_citizens_survey_and_complaint_on_line_become_evidence_of_the_current_half(nammong_oa, client, line):
    from bot.i18n import t
    from models.periods import fiscal_year, period_key
    from models.types import utcnow

    now = utcnow()
    year, half = fiscal_year(now), period_key(now, "half")
    with nammong_oa.app_context():
        m = Measure(agency_id=agency("nammong").id, fiscal_year=year, code="T", title="ช่องทางแชต", steps=["ขั้นเดียว"])
        from models import MeasureIndicator

        m.indicator_links = [MeasureIndicator(indicator_no=6), MeasureIndicator(indicator_no=8)]
        db.session.add(m)
        db.session.commit()
        measure_id = m.id

    citizen = Citizen(nammong_oa, client, line)
    citizen.taps("flow=survey")
    with nammong_oa.app_context():
        count = len(questions_for(agency("nammong").id))
    for _ in range(count):
        citizen.tap_button(t("flow.rating.4"))
    citizen.tap_button(t("survey.no_comment"))
    assert "ขอบคุณ" in citizen.text
    file_general(citizen)  # public_works: indicators 6 and 8

    with nammong_oa.app_context():
        m = db.session.get(Measure, measure_id)
        ev = participation_evidence(m, half)
        assert ev["complete"] is False  # the half is still running
        assert ev["survey"]["responses"] == 1
        assert [(r["indicator"], r["respondents"], r["mean"]) for r in ev["survey"]["indicators"]] == [
            (6, 1, "4.00"),
            (8, 1, "4.00"),
        ]
        assert ev["complaints"]["total"] == 1 and ev["complaints"]["by_category"]["public_works"] == 1
        assert ev["participation"]["participants"] == 1 and ev["participation"]["by_channel"]["line"] == 1
        assert ev["participation"]["survey_responses"] == 1 and ev["participation"]["complaints_general"] == 1
        entry = attach_participation(m, half, draft_narrative(ev, m.agency.name_th), None)
        db.session.commit()
        assert entry.evidence["participation"]["participants"] == 1
