"""The satisfaction survey on LINE, end to end: signed webhook in, the LINE stand-in's record out."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.i18n import t
from models import Agency, SurveyResponse, db
from models.survey import questions_for
from tests.citizen import Citizen


def responses(app) -> list[SurveyResponse]:
    with app.app_context():
        rows = db.session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)).all()
        for row in rows:
            _ = [(a.question_id, a.score) for a in row.answers]
        db.session.expunge_all()
        return rows


def question_count(app) -> int:
    with app.app_context():
        agency = db.session.scalar(select(Agency).where(Agency.slug == "nammong"))
        return len(questions_for(agency.id))


def test_a_full_survey_by_quick_replies_alone_ends_with_thanks(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    count = question_count(nammong_oa)
    citizen.taps("flow=survey")  # the rich menu's button
    assert f"1/{count}" in citizen.text and "น้ำโมง" in citizen.text
    tapped = []
    for number in range(count):
        score = "4" if number % 2 else "5"
        tapped.append(int(score))
        citizen.tap_button(t(f"flow.rating.{score}"))
    assert t("survey.no_comment") in citizen.last.quick_labels()
    citizen.tap_button(t("survey.no_comment"))
    assert "ขอบคุณ" in citizen.text and "ปีงบประมาณ พ.ศ. 25" in citizen.text
    [response] = responses(nammong_oa)
    assert response.status == "complete" and response.completed_at is not None
    assert sorted(a.score for a in response.answers) == sorted(tapped)
    assert len({a.question_id for a in response.answers}) == count


def test_a_comment_is_kept_and_a_second_survey_in_the_same_period_is_refused(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    citizen.says("ประเมินความพึงพอใจ")
    for _ in range(question_count(nammong_oa)):
        citizen.says("๕")  # Thai digits count
    citizen.says("อยากให้เพิ่มบริการออนไลน์ <b>ด่วน</b>")
    assert "ขอบคุณ" in citizen.text
    citizen.says("ประเมินความพึงพอใจ")
    assert "แล้ว" in citizen.text and "รอบถัดไป" in citizen.text
    [response] = responses(nammong_oa)
    assert response.comment == "อยากให้เพิ่มบริการออนไลน์ <b>ด่วน</b>"  # kept as typed; escaped where shown


def test_stopping_keeps_a_partial_response_and_starting_again_resumes_it(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    count = question_count(nammong_oa)
    citizen.taps("flow=survey")
    for _ in range(3):
        citizen.tap_button(t("flow.rating.3"))
    citizen.tap_button(t("survey.pause"))
    assert f"3 จาก {count}" in citizen.text
    [response] = responses(nammong_oa)
    assert response.status == "partial" and len(response.answers) == 3
    citizen.says("น้ำโมงได้คะแนน ITA เท่าไหร่")  # life goes on: the bot answers as usual
    assert "85.86" in citizen.text
    citizen.taps("flow=survey")  # the rich menu again, days later
    assert t("survey.resume", number=4, count=count) in citizen.text and f"4/{count}" in citizen.text
    for _ in range(count - 3):
        citizen.tap_button(t("flow.rating.2"))
    [response] = responses(nammong_oa)
    assert response.status == "complete" and len(response.answers) == count


@pytest.mark.parametrize(
    "odd",
    [
        "ไม่รู้สิ",
        "👍👍",
        "   ",
        "9",
        "x" * 5000,
        "<script>alert(1)</script>",
        "1; DROP TABLE survey_answers;--",
    ],
    ids=["words", "emoji", "blank", "out-of-scale", "5000-chars", "html", "sql"],
)
def test_anything_but_a_rating_is_asked_again_and_nothing_is_recorded(nammong_oa, client, line, odd):
    citizen = Citizen(nammong_oa, client, line)
    citizen.taps("flow=survey")
    citizen.says(odd)
    assert "1 ถึง 5" in citizen.text and "1/" in citizen.text
    citizen.says("4")
    assert "2/" in citizen.text
    [response] = responses(nammong_oa)
    assert [a.score for a in response.answers] == [4]


def test_a_stale_or_forged_button_does_not_answer_the_wrong_question(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    citizen.taps("flow=survey")
    first = next(b["data"] for b in citizen.buttons() if b.get("data", "").endswith("s=5"))
    citizen.tap_button(t("flow.rating.5"))
    citizen.taps(first)  # the first question's button, tapped again
    assert t("survey.answer_this_one") in citizen.text and "2/" in citizen.text
    citizen.taps("flow=survey&q=999999&s=9")
    assert "2/" in citizen.text
    citizen.taps("nonsense=1")
    assert "2/" in citizen.text, "an unknown button mid-survey asks the question again"
    [response] = responses(nammong_oa)
    assert [a.score for a in response.answers] == [5]


def test_a_question_mid_survey_is_answered_with_one_reminder(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    citizen.taps("flow=survey")
    citizen.says("ตัวชี้วัดไหนได้คะแนนต่ำสุด")
    assert t("survey.waiting") in citizen.text and "ตัวชี้วัด" in citizen.text
    citizen.says("แล้วมาตรการมีอะไรบ้าง")
    assert t("survey.waiting") not in citizen.text, "reminded once, not on every message"
    citizen.says("4")
    assert "2/" in citizen.text


def test_the_survey_asks_which_agency_when_the_oa_serves_several(demo, client, line):
    citizen = Citizen(demo, client, line)
    citizen.says("ประเมินความพึงพอใจ")
    assert t("survey.which_agency") in citizen.text
    citizen.says("อบจ.นครพนม")
    assert "1/" in citizen.text and "นครพนม" in citizen.text


def test_the_survey_speaks_english_to_an_english_speaker(nammong_oa, client, line):
    citizen = Citizen(nammong_oa, client, line)
    citizen.says("What is the ITA score?")
    citizen.says("satisfaction survey")
    assert "Question 1/" in citizen.text and t("flow.rating.5", "en") in citizen.last.quick_labels()
