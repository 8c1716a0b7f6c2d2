"""Understanding one message on its own: normalisation, years, indicators, codes, agencies, language.

The agency index is built straight from the demo YAML files (no database), the way bot.data builds it
from the agencies table; one test checks that the two agree.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.nlu import understand
from bot.nlu.agencies import AgencyIndex
from bot.nlu.text import compact, language_of, normalize

DEMO_DIR = Path(__file__).resolve().parent.parent / "models" / "demo"


def _demo_agencies() -> list[dict]:
    agencies = []
    for path in sorted(DEMO_DIR.glob("*.yaml")):
        agency = yaml.safe_load(path.read_text(encoding="utf-8"))["agency"]
        agencies.append(
            {
                "slug": agency["slug"],
                "name_th": agency["name_th"],
                "name_en": agency.get("name_en"),
                "kind": agency["kind"],
                "aliases": [*(agency.get("short_names") or []), *(agency.get("aliases") or [])],
            }
        )
    return agencies


@pytest.fixture(scope="module")
def index() -> AgencyIndex:
    return AgencyIndex(_demo_agencies())


def test_demo_has_the_four_agencies(index):
    assert set(index.kinds) == {"narathiwat", "nammong", "nakhonpathom", "nakhonphanom"}


def test_index_from_yaml_matches_the_index_the_bot_builds_from_the_database(demo, index):
    from bot import data

    with demo.app_context():
        live = data.agency_index()
        for text in ["อบต.น้ำโมง", "น้ำโมง", "อบจ.นครพนม", "จ.นครปฐม", "นราธิวาส", "Nam Mong", "เชียงใหม่", "จังหวัดนครพนม"]:
            assert live.find(normalize(text)) == index.find(normalize(text)), text


# --- normalisation ------------------------------------------------------------------------------


def test_thai_digits_become_arabic():
    assert normalize("ปี ๖๘ ตัวชี้วัดที่ ๙") == "ปี 68 ตัวชี้วัดที่ 9"


def test_misspelt_indicator_word_is_folded():
    assert normalize("ตัวชี้วด ที่ 9") == "ตัวชี้วัด ที่ 9"
    assert normalize("ตัวชีวัด 4") == "ตัวชี้วัด 4"


def test_compact_ignores_dots_and_spaces():
    assert compact(normalize("อบต. น้ำโมง")) == compact(normalize("อบต.น้ำโมง")) == compact(normalize("อบตน้ำโมง"))


# --- years --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("อบต.น้ำโมง ปี ๖๘ ได้กี่คะแนน", 2568),
        ("ผลปี ๒๕๖๘", 2568),
        ("น้ำโมง ปี 68", 2568),
        ("ปี68", 2568),
        ("น้ำโมง ปีงบ 67", 2567),
        ("ผล ปีงบประมาณ 66", 2566),
        ("พ.ศ. 65 ได้เท่าไหร่", 2565),
        ("ปีงบ'67", 2567),
        ("คะแนนปี 2566", 2566),
        ("คะแนนปี 2025", 2568),
        ("FY2025 score", 2568),
        ("score in 2024", 2567),
        ("What was the score in 2022?", 2565),
    ],
)
def test_years(index, text, year):
    assert understand(text, index).year == year


@pytest.mark.parametrize(
    "text",
    [
        "ได้ 92.56 คะแนน",  # a score, not ปี 56
        "คะแนน 25.66",  # not 2566
        "ได้ 68 คะแนนใช่ไหม",  # two digits without ปี/ปีงบ are not a year
        "ตัวชี้วัดไหนต่ำกว่า 90",
        "score 85.86",
    ],
)
def test_scores_and_bare_numbers_are_not_years(index, text):
    u = understand(text, index)
    assert u.year is None
    assert u.years == []


def test_two_years_mean_a_comparison_not_one_year(index):
    u = understand("เทียบปี 2565 กับ 2566", index)
    assert u.years == [2565, 2566]
    assert u.year is None


@pytest.mark.parametrize(
    ("text", "relative"),
    [
        ("แล้วปีก่อนล่ะ", "previous"),
        ("ปีที่แล้วได้เท่าไหร่", "previous"),
        ("last year?", "previous"),
        ("ปีล่าสุดได้เท่าไหร่", "latest"),
        ("latest score", "latest"),
    ],
)
def test_relative_years(index, text, relative):
    u = understand(text, index)
    assert u.year_relative == relative
    assert u.year is None


# --- thresholds ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "threshold"),
    [
        ("ตัวชี้วัดไหนต่ำกว่า 90", 90.0),
        ("ตัวไหนต่ำกว่าเกณฑ์ 85", 85.0),
        ("ตัวไหนต่ำกว่า 85.5", 85.5),
        ("ตัวไหนไม่ถึง ๙๐", 90.0),
        ("which indicators are below 90", 90.0),
        ("less than 80?", 80.0),
    ],
)
def test_thresholds(index, text, threshold):
    u = understand(text, index)
    assert u.threshold == threshold
    assert u.year is None
    assert u.indicator is None


def test_threshold_out_of_range_is_ignored(index):
    assert understand("ตัวไหนต่ำกว่า 120", index).threshold is None


# --- indicators ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "indicator"),
    [
        ("ตัวชี้วัดที่ 9", 9),
        ("ตัวชี้วัดที่ ๙", 9),
        ("ตัวชี้วัดที่ 10", 10),
        ("ตัวชี้วด ที่ 9", 9),
        ("ตัวชีวัด 4 ได้เท่าไหร่", 4),
        ("indicator 10 of nam mong", 10),
        ("the 3rd indicator", 3),
        ("การเปิดเผยข้อมูลได้กี่คะแนน", 9),
        ("มาตรการเรื่องทรัพย์สินราชการ", 4),
        ("ป้องกันการทุจริตได้เท่าไหร่", 10),  # names 10, not also 5
    ],
)
def test_indicator_numbers_and_names(index, text, indicator):
    assert understand(text, index).indicator == indicator


@pytest.mark.parametrize(
    "text",
    ["ตัวชี้วัด 10 ตัว มีอะไรบ้าง", "มีตัวชี้วัด 10 ตัวใช่ไหม", "ขอดูตัวชี้วัดทั้ง 10 ตัว", "ตัวชี้วัดที่ 11", "ตัวชี้วัดที่ 0"],
)
def test_counts_and_out_of_range_numbers_are_not_an_indicator(index, text):
    assert understand(text, index).indicator is None


@pytest.mark.parametrize("text", ["show all 10 indicators of nam mong", "what are the 10 indicators?"])
def test_english_count_of_indicators_is_not_indicator_10(index, text):
    """'all 10 indicators' is the English for 'ตัวชี้วัด 10 ตัว': a count, not indicator 10.

    Bug: the pattern `(\\d{1,2})(?:st|nd|rd|th)?\\s*indicator` in bot/nlu/__init__.py reads it as indicator 10.
    """
    assert understand(text, index).indicator is None


# --- question codes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ข้อ e11 ได้เท่าไหร่", "e11"),
        ("ข้อ i7", "i7"),
        ("ข้อ i 7", "i7"),
        ("question e-11", "e11"),
        ("ข้อ O31", "o31"),
        ("e06", "e6"),
    ],
)
def test_question_codes(index, text, code):
    assert understand(text, index).question == code


@pytest.mark.parametrize("text", ["video 2", "radio 5", "office 3", "the price 4", "ปี 2566"])
def test_letters_inside_words_are_not_question_codes(index, text):
    assert understand(text, index).question is None


# --- agencies -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("อบต.น้ำโมง", "nammong"),
        ("อบตน้ำโมง", "nammong"),
        ("อบต น้ำโมง", "nammong"),
        ("อบต. น้ำโมง ได้กี่คะแนน", "nammong"),
        ("องค์การบริหารส่วนตำบลน้ำโมง", "nammong"),
        ("อบจ.นครพนม", "nakhonphanom"),
        ("อบจ นครพนม", "nakhonphanom"),
        ("อบจ.นพ. ได้เท่าไหร่", "nakhonphanom"),
        ("องค์การบริหารส่วนจังหวัดนครพนม", "nakhonphanom"),
        ("จ.นครปฐม", "nakhonpathom"),
        ("จังหวัดนครปฐม", "nakhonpathom"),
        ("จ.นราธิวาส", "narathiwat"),
        ("จังหวัดนราธิวาส", "narathiwat"),
    ],
)
def test_abbreviations_with_and_without_dots_and_spaces(index, text, slug):
    match = understand(text, index).agency
    assert (match.slug, match.candidates, match.unknown) == (slug, [], None)


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("น้ำโมงได้กี่คะแนน", "nammong"),
        ("ตำบลน้ำโมง", "nammong"),
        ("นครปฐมได้กี่คะแนน", "nakhonpathom"),
        ("นราธิวาส ตัวชี้วัดที่ 1", "narathiwat"),
        ("นครพนมได้กี่คะแนน", "nakhonphanom"),  # the bare name: the only นครพนม we have
    ],
)
def test_names_without_prefix(index, text, slug):
    assert understand(text, index).agency.slug == slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Nam Mong", "nammong"),
        ("What is the ITA score of Nam Mong?", "nammong"),
        ("NAM MONG score", "nammong"),
        ("nammong", "nammong"),
        ("Nakhon Phanom", "nakhonphanom"),
        ("Nakhon Phanom PAO score", "nakhonphanom"),
        ("Narathiwat", "narathiwat"),
        ("Nakhon Pathom score", "nakhonpathom"),
        ("nakorn pathom", "nakhonpathom"),
    ],
)
def test_english_names(index, text, slug):
    assert understand(text, index).agency.slug == slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("นราธิวาดได้กี่คะแนน", "narathiwat"),
        ("น้ำโม่ง", "nammong"),
        ("นำ้โมง", "nammong"),  # sara am typed as nikhahit + sara aa
        ("น้ำโมงค์ ได้เท่าไหร่", "nammong"),
    ],
)
def test_typos(index, text, slug):
    assert understand(text, index).agency.slug == slug


@pytest.mark.parametrize(
    "text",
    ["ทรัพย์สินราชการ", "มาตรการเรื่องทรัพย์สินราชการมีอะไรบ้าง", "ประชาสัมพันธ์ได้กี่คะแนน", "ขอดูคะแนนทุกตัวชี้วัด"],
)
def test_short_aliases_never_match_inside_a_word(index, text):
    """นรา and นธ (Narathiwat) hide inside ทรัพย์สินราชการ and ประชาสัมพันธ์."""
    match = understand(text, index).agency
    assert (match.slug, match.candidates, match.unknown) == (None, [], None)


def test_short_alias_as_a_word_matches(index):
    assert understand("นรา ได้กี่คะแนน", index).agency.slug == "narathiwat"


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("เชียงใหม่ได้กี่คะแนน", "จังหวัดเชียงใหม่"),
        ("เชียงใหม่", "จังหวัดเชียงใหม่"),
        ("จังหวัดเลยได้กี่คะแนน", "จังหวัดเลย"),
        ("อบต.เชียงใหม่", "อบต.เชียงใหม่"),
        ("อบต.นราธิวาส", "อบต.นราธิวาส"),
        ("อบต.นครปฐม", "อบต.นครปฐม"),
        ("อบจ.น้ำโมง", "อบจ.น้ำโมง"),
    ],
)
def test_places_without_data_are_unknown(index, text, unknown):
    match = understand(text, index).agency
    assert (match.slug, match.candidates, match.unknown) == (None, [], unknown)


@pytest.mark.parametrize("text", ["ขอทั้งหมดเลย", "เลยครับ", "การเผยแพร่ข้อมูล", "ทำไมยังไม่เผยแพร่", "ขอดูทั้งหมดเลยค่ะ"])
def test_ordinary_words_that_are_province_names_are_not_agencies(index, text):
    """เลย and แพร่ are provinces, but also 'at all' and the end of เผยแพร่ (publish)."""
    match = understand(text, index).agency
    assert (match.slug, match.candidates, match.unknown) == (None, [], None)


@pytest.mark.parametrize("text", ["จังหวัดนครพนมได้กี่คะแนน", "จ.นครพนม", "จังหวัด นครพนม"])
def test_the_province_is_not_silently_the_pao_of_the_same_name(index, text):
    """We have อบจ.นครพนม (the provincial administrative organisation), not จังหวัดนครพนม (the province)."""
    match = understand(text, index).agency
    assert match.slug is None
    assert match.unknown == "จังหวัดนครพนม"


@pytest.mark.parametrize(("text", "unknown"), [("อบจ.นราธิวาส", "อบจ.นราธิวาส"), ("อบจ.นครปฐม", "อบจ.นครปฐม")])
def test_the_pao_is_not_silently_the_province_of_the_same_name(index, text, unknown):
    """The mirror case: we have จังหวัดนราธิวาส, not อบจ.นราธิวาส.

    Bug: the short name "จ.นราธิวาส" (compact "จนราธิวาส") is found inside "อบจนราธิวาส", and short names
    are not checked against the prefix before them, so the province is answered for the อบจ.
    """
    match = understand(text, index).agency
    assert match.slug is None
    assert match.unknown == unknown


def test_english_province_is_not_silently_the_pao(index):
    """'Nakhon Phanom Province' is the province; our data is the PAO (อบจ.นครพนม).

    Bug: the index strips kind words ("Province", "PAO") from English names, so this matches the PAO.
    """
    assert understand("Nakhon Phanom Province score", index).agency.slug != "nakhonphanom"


def test_unknown_agency_keeps_the_name_the_citizen_gave(index):
    """Bug: the kind prefix is rebuilt from its kind, so "เทศบาลเมืองนครพนม" is reported as "เทศบาลนครพนม"."""
    assert understand("เทศบาลเมืองนครพนม", index).agency.unknown == "เทศบาลเมืองนครพนม"


# --- language -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("น้ำโมงได้กี่คะแนน", "th"),
        ("IIT คืออะไร", "th"),
        ("คะแนน ita ปี 68", "th"),
        ("What is the score of Nam Mong?", "en"),
        ("IIT score", "en"),
        ("hello", "en"),
        ("IIT", None),
        ("ITA", None),
        ("iit eit oit", None),
        ("ok", None),
        ("e-service", None),
        ("2566", None),
        ("😀🙏", None),
        ("", None),
    ],
)
def test_language(text, lang):
    assert language_of(text) == lang


def test_understanding_carries_the_language(index):
    assert understand("Nam Mong score", index).lang == "en"
    assert understand("น้ำโมงได้กี่คะแนน", index).lang == "th"
    assert understand("IIT", index).lang is None
