"""Change between years, once an agency has several: a second year goes in through the real importer."""

from __future__ import annotations

import pytest

from bot import data
from bot.engine import respond
from models import Conversation
from models.ita_import import import_files

HEADER = (
    "agency,fiscal_year,total_score,level,announced_on,iit_score,eit_score,oit_score,"
    + ",".join(f"indicator_{n}" for n in range(1, 11))
    + ",notes\n"
)
YEAR_2567 = "nammong,2567,80.10,ไม่ผ่าน,,,,,85.00,80.00,88.00,60.00,75.00,90.00,88.00,86.00,70.00,92.00,\n"


@pytest.fixture
def two_years(demo, tmp_path):
    path = tmp_path / "assessments.csv"
    path.write_text(HEADER + YEAR_2567, encoding="utf-8")
    with demo.app_context():
        result = import_files([path])
        assert not result.errors, result.errors
        data.forget()  # what the import command does for its own process
        yield Conversation(channel="web", chat_id="user:trend", context={})


def test_trend_lists_each_year_with_the_change(two_years):
    text = respond(two_years, "น้ำโมงคะแนนย้อนหลังเป็นอย่างไร").plain_text()
    assert "2567" in text and "80.10" in text
    assert "2568" in text and "85.86" in text
    assert "+5.76" in text  # 85.86 - 80.10, computed from the stored scores


def test_trend_of_one_indicator(two_years):
    text = respond(two_years, "ตัวชี้วัดที่ 4 ของน้ำโมง เทียบปีก่อนดีขึ้นไหม").plain_text()
    assert "60.00" in text and "68.69" in text and "+8.69" in text
    assert "ไม่ผ่าน" not in text  # the total's level is not the indicator's


def test_latest_year_by_default_and_the_year_before_on_request(two_years):
    assert "85.86" in respond(two_years, "น้ำโมงได้กี่คะแนน").plain_text()
    text = respond(two_years, "แล้วปีก่อนล่ะ").plain_text()
    assert "80.10" in text and "ไม่ผ่าน" in text
    assert two_years.context["year"] == 2567


def test_english_trend_question(two_years):
    text = respond(two_years, "How did Nam Mong's score change over the years?").plain_text()
    assert "+5.76" in text and "2567" in text
