"""What the bot answers is true to the data: honest about what it lacks, never a number not stored.

Assertions are on what a citizen reads (Reply.plain_text()) and on what the bot remembers
(conversation.context), not on wording that may change.
"""

from __future__ import annotations

import re

import pytest

from bot.i18n import t
from tests.helpers import SCORE, stored_scores


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("เชียงใหม่ได้กี่คะแนน", "เชียงใหม่"),
        ("จังหวัดนครพนมได้คะแนน ITA เท่าไหร่", "จังหวัดนครพนม"),
        ("อบต.นครปฐม ตัวชี้วัดไหนต่ำสุด", "อบต.นครปฐม"),
    ],
)
def test_unknown_agency_gets_an_honest_no_data_answer(chat, question, name):
    text = chat.ask(question)
    assert name in text
    assert not re.search(r"\d", text), text
    assert "agency" not in chat.context
    labels = [label for label, _ in chat.quick]
    assert "อบต.น้ำโมง" in labels  # offers the agencies that have data
    assert t("qr.staff.label", "th") in labels


def test_unknown_agency_is_not_answered_with_the_default_agency(default_nammong):
    text = default_nammong.ask("เชียงใหม่ได้กี่คะแนน")
    assert "เชียงใหม่" in text
    assert "85.86" not in text
    assert not SCORE.search(text)


def test_pao_we_do_not_have_is_not_answered_with_the_province(chat):
    """Bug: "อบจ.นราธิวาส" (not in our data) is answered with จังหวัดนราธิวาส's 96.52 (see test_nlu)."""
    text = chat.ask("อบจ.นราธิวาส ได้กี่คะแนน")
    assert "96.52" not in text
    assert "อบจ.นราธิวาส" in text


def test_year_not_in_the_data_offers_the_available_years(chat):
    text = chat.ask("น้ำโมง ปี 2560")
    assert "2560" in text
    assert "2568" in text
    assert not SCORE.search(text)
    assert chat.quick == [
        (t("qr.year.label", "th", year=2568), t("qr.year.text", "th", year=2568)),
        (t("qr.staff.label", "th"), t("qr.staff.text", "th")),  # unknown year: also the way to a person
    ]
    assert chat.context["pending"]["agency"] == "nammong"

    text = chat.ask(chat.quick[0][1])
    assert chat.reply.intent == "total_score"
    assert "85.86" in text
    assert chat.context["year"] == 2568
    assert "pending" not in chat.context


@pytest.mark.parametrize(
    "question",
    [
        "นราธิวาส ตัวชี้วัดที่ 1 ได้กี่คะแนน",
        "จังหวัดนราธิวาส การปฏิบัติหน้าที่ได้เท่าไหร่",
        "Narathiwat indicator 1 score",
        "นราธิวาส ตัวชี้วัดที่ 9",
    ],
)
def test_unpublished_indicator_is_said_so_never_invented(chat, question):
    text = chat.ask(question)
    assert chat.reply.intent == "indicator_score"
    assert chat.context["agency"] == "narathiwat"
    assert chat.context["indicator"] in (1, 9)
    assert not SCORE.search(text), text
    unpublished = (
        t(
            "indicator.unpublished",
            chat.conversation.lang or "th",
            agency="",
            year="",
            number=chat.context["indicator"],
            name="",
        )
        .splitlines()[-1]
        .strip()[:25]
    )
    assert unpublished in text


def test_unpublished_indicators_are_left_out_of_the_list(chat):
    text = chat.ask("นราธิวาส ขอดูคะแนนทุกตัวชี้วัด")
    lines = text.split("\n")
    assert not any(line.startswith(("1. ", "9. ")) for line in lines)
    assert sum(1 for line in lines if re.match(r"\d+\. .*: \d+\.\d\d", line)) == 8
    assert "1, 9" in text


NUMBER_QUESTIONS = [
    ("อบต.น้ำโมง ได้คะแนน ITA ปี 68 เท่าไหร่", "nammong"),
    ("น้ำโมง ตัวชี้วัดไหนต่ำสุด", "nammong"),
    ("นราธิวาส ตัวชี้วัดไหนได้คะแนนสูงสุด", "narathiwat"),
    ("นครปฐม ตัวชี้วัดไหนต่ำกว่า 90", "nakhonpathom"),
    ("อบจ.นครพนม ขอดูคะแนนทุกตัวชี้วัด", "nakhonphanom"),
    ("นราธิวาส ข้อ e11 ได้เท่าไหร่", "narathiwat"),
    ("นราธิวาส ข้อ i8 ได้กี่คะแนน", "narathiwat"),
    ("นราธิวาส คะแนน IIT", "narathiwat"),
    ("อบจ.นครพนม คะแนน EIT เท่าไหร่", "nakhonphanom"),
    ("น้ำโมง ตัวชี้วัดที่ 9 ได้กี่คะแนน", "nammong"),
    ("นครปฐม ตัวชี้วัดที่ 4", "nakhonpathom"),
    ("นราธิวาส ตัวชี้วัดไหนต่ำกว่า 92", "narathiwat"),
    ("จังหวัดนครปฐม ผ่านเกณฑ์ไหม", "nakhonpathom"),
    ("น้ำโมง คะแนนย้อนหลังแต่ละปี", "nammong"),
    ("Which indicator of Narathiwat scored lowest?", "narathiwat"),
    ("Nakhon Pathom indicators below 90", "nakhonpathom"),
    ("Nam Mong indicator 4 score", "nammong"),
    ("Show all indicator scores of Nakhon Phanom PAO", "nakhonphanom"),
    ("What is the highest indicator of Nam Mong?", "nammong"),
    ("นราธิวาส ตัวชี้วัดทั้งหมด", "narathiwat"),
]


def test_every_number_in_an_answer_is_in_the_database(new_chat):
    with_numbers = 0
    for question, slug in NUMBER_QUESTIONS:
        chat = new_chat()
        text = chat.ask(question)
        assert chat.context.get("agency") == slug, question
        numbers = SCORE.findall(text)
        allowed = stored_scores(slug)
        invented = [n for n in numbers if n not in allowed]
        assert not invented, f"{question!r}: {invented} not stored for {slug}\n{text}"
        with_numbers += bool(numbers)
    assert with_numbers >= 15  # the sample really exercises answers with scores


@pytest.mark.parametrize(
    "question,named",
    [
        ("อบต.บางรักได้กี่คะแนน", "อบต.บางรัก"),  # บาง is also a stopword ("some")
        ("อบต หนองบัว ปี68", "อบต.หนองบัว"),
        ("เทศบาลตำบลนาโพธิ์คะแนนita", "เทศบาลตำบลนาโพธิ์"),
    ],
)
def test_a_named_agency_we_lack_never_falls_back_to_the_one_in_context(chat, question, named):
    assert "96.52" in chat.ask("นราธิวาสได้กี่คะแนน")
    text = chat.ask(question)
    assert named in text
    assert not SCORE.search(text), "no number for an agency we have no data for"


def test_an_indicator_that_does_not_exist_gets_the_list_of_the_ten(chat):
    text = chat.ask("ตัวชี้วัดที่ 11 ได้กี่คะแนน")
    assert chat.reply.intent == "concept"
    assert "10." in text and "การป้องกันการทุจริต" in text
    assert not SCORE.search(text)


def test_measures_that_share_an_answer_say_it_once(chat):
    text = chat.ask("นครปฐม มาตรการติดตามผลยังไง")
    assert text.count("ไตรมาสที่ 2") == 1
    assert "ทั้ง 5 มาตรการ" in text


def test_a_measure_asked_by_its_number_and_its_follow_up(chat):
    text = chat.ask("มาตรการที่ 3 ของน้ำโมงคืออะไร")
    assert "มาตรการที่ 3" in text and "มาตรการที่ 4" not in text
    assert "สำนักปลัด" in chat.ask("ใครรับผิดชอบ")
    assert "มาตรการที่ 4" not in chat.reply.plain_text()
    text = chat.ask("มาตรการที่ 12")
    assert "ไม่มีมาตรการที่ 12" in text


def test_which_indicators_passed_lists_them_all_with_the_ones_below_marked(chat):
    text = chat.ask("น้ำโมงมีตัวชี้วัดไหนผ่านบ้าง")
    assert chat.reply.intent == "all_indicators"
    assert "68.69" in text and "95.00" in text
