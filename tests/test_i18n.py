"""The citizen-facing catalogs: locales/th.yaml and locales/en.yaml, and the keys the code uses."""

from __future__ import annotations

import ast
import re
import string
from itertools import product
from pathlib import Path

import pytest

from bot.answers import Kit
from bot.answers.concepts import TOPICS
from bot.engine import MEDIA_KINDS
from bot.flows.common import SCALE_DOWN
from bot.flows.complaint import STEPS
from bot.handoffs import DAYS
from bot.i18n import LANGUAGES, catalog, t
from bot.line.render import MAX_LABEL, utf16_len
from models.complaint import CATEGORIES, LANES, STATUSES
from models.handoff import HANDOFF_REASONS
from models.indicators import INDICATORS, TOOLS
from models.measure import PROGRESS_STATUSES
from models.periods import PERIOD_KINDS

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [p for folder in ("bot", "admin") for p in sorted((ROOT / folder).rglob("*.py"))]
TEMPLATES = sorted((ROOT / "admin").rglob("*.html"))
SECTIONS = {key.split(".")[0] for key in catalog("th")}
KEY_LIKE = re.compile(r"^[a-z_]+(?:\.[a-z0-9_]+)+$")

# Realistic values for every placeholder a catalog string may carry.
SAMPLE_VALUES = {
    "threshold": "85",
    "number": 10,
    "year": 2568,
    "be": 2568,
    "ce": 2025,
    "agency": "อบต.น้ำโมง",
    "name": "น้ำโมง",
    "names": "อบต.น้ำโมง",
    "total": "85.86",
    "level": "ผ่าน",
    "score": "85.86",
    "rank": 1,
    "count": 10,
    "tool": "IIT",
    "numbers": "1, 9",
    "what": "คะแนนรวม",
    "delta": "+1.00",
    "code": "e11",
    "codes": "e1, e2",
    "text": "ข้อความ",
    "indicators": "1 88.49",
    "years": "2566, 2567",
    "title": "มาตรการ",
    "area": "ประเด็นที่ 1",
    "timeframe": "2569",
    "monitoring": "-",
    "done": 1,
    "total_steps": 2,
    "report": "รอบ 6 เดือน",
    "mark": "✅",
    "step": "ขั้นตอน",
    "status": "ดำเนินการแล้ว",
    "contact": "042-000-000",
}

ALL_CATEGORIES = [c for lane in CATEGORIES.values() for c in lane]
# What each f-string placeholder in a key can be, to check keys built at run time.
KEY_PARTS = {
    "number": [str(n) for n in INDICATORS],
    "n": [str(n) for n in INDICATORS],
    "frame.issue_area": [str(n) for n in range(1, 8)],
    "tool": list(TOOLS),
    "INDICATORS[n].tool": list(TOOLS),
    "topic": list(TOPICS),
    "t": sorted({*TOPICS, *TOOLS}),
    "p.status": list(PROGRESS_STATUSES),
    "frame.intent": ["strongest", "weakest"],
    "kind": sorted({*MEDIA_KINDS, "other"}),
    "score": list(SCALE_DOWN),
    "step": [s for s in STEPS if s != "agency"],
    **{name: list(LANES) for name in ("lane", "ctx.state['lane']", "s['lane']", "complaint.lane")},
    **{name: ALL_CATEGORIES for name in ("c", "category", "s['category']", "complaint.category")},
    **{name: list(STATUSES) for name in ("change.status", "c.status", "complaint.status")},
    "span": [kind for kind in PERIOD_KINDS if kind != "fiscal_year"],
    "DAYS[self.first_day]": list(DAYS),
    "DAYS[self.last_day]": list(DAYS),
    "reason": list(HANDOFF_REASONS),
    "by": ["staff", "idle"],
}
QR_MACHINERY = {"key"}  # Kit.qr itself: f"qr.{key}.label"; the qr names are checked at each kit.qr call


class _Samples(dict):
    def __missing__(self, name: str):
        return SAMPLE_VALUES.get(name, "x")


def placeholders(value) -> set[str]:
    items = value if isinstance(value, list) else [value]
    return {name for item in items for _, name, _, _ in string.Formatter().parse(str(item)) if name is not None}


# --- the two catalogs agree ---------------------------------------------------------------------


def test_both_languages_have_exactly_the_same_keys():
    th, en = set(catalog("th")), set(catalog("en"))
    assert sorted(th - en) == [], "in th.yaml only"
    assert sorted(en - th) == [], "in en.yaml only"


# Keys whose placeholders differ on purpose: Thai readers see only the Buddhist era (see Kit.year).
DELIBERATE = {"year.fiscal": "Thai shows only {be}; English shows {ce} and {be}"}


def test_both_languages_use_the_same_placeholders_per_key():
    th, en = catalog("th"), catalog("en")
    differ = {
        k: (placeholders(th[k]), placeholders(en[k])) for k in th if placeholders(th[k]) != placeholders(en.get(k, ""))
    }
    for key in DELIBERATE:
        th_names, en_names = differ.pop(key, (set(), set()))
        assert th_names <= en_names, key  # whatever the code passes for English also formats the Thai
    assert differ == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_is_non_empty_and_formats_with_realistic_values(lang):
    for key, value in catalog(lang).items():
        for item in value if isinstance(value, list) else [value]:
            assert str(item).strip(), key
            str(item).format_map(_Samples())  # no stray braces, no positional {} fields


# --- every key the code uses exists -------------------------------------------------------------


def _fstring_template(node: ast.JoinedStr) -> tuple[str, list[str]]:
    parts, names = [], []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(str(value.value).replace("{", "{{").replace("}", "}}"))
        else:
            names.append(ast.unparse(value.value))
            parts.append("{" + str(len(names) - 1) + "}")
    return "".join(parts), names


def _expand(node: ast.JoinedStr, where: str) -> list[str]:
    template, names = _fstring_template(node)
    if set(names) & QR_MACHINERY:
        return []
    unknown = [n for n in names if n not in KEY_PARTS]
    assert not unknown, f"{where}: key built from {unknown}; add what it can be to KEY_PARTS"
    return [template.format(*combo) for combo in product(*(KEY_PARTS[n] for n in names))]


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return name if name in {"t", "tr", "qr"} else None


def _first_arg_strings(arg: ast.AST, where: str) -> list[str]:
    """String literals and f-strings in a call's first argument (also both sides of `a if c else b`)."""
    if isinstance(arg, ast.JoinedStr):
        return _expand(arg, where)
    if isinstance(arg, ast.Constant):
        return [arg.value] if isinstance(arg.value, str) else []
    return [value for child in ast.iter_child_nodes(arg) for value in _first_arg_strings(child, where)]


def _comprehension_strings(node: ast.AST) -> list[tuple[str, str]]:
    """`[self.qr(k) for k in ("score", ...)]`: the names the loop variable takes."""
    found = []
    if isinstance(node, (ast.ListComp, ast.GeneratorExp)) and isinstance(node.elt, ast.Call):
        call, gen = node.elt, node.generators[0]
        name = _call_name(call)
        if (
            name
            and call.args
            and isinstance(call.args[0], ast.Name)
            and isinstance(gen.target, ast.Name)
            and call.args[0].id == gen.target.id
            and isinstance(gen.iter, (ast.Tuple, ast.List))
        ):
            found = [(name, e.value) for e in gen.iter.elts if isinstance(e, ast.Constant)]
    return found


def keys_used_in_code() -> dict[str, str]:
    """Every catalog key the sources name, with where it is used."""
    used: dict[str, str] = {}
    for path in SOURCES:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        rel = path.relative_to(ROOT)
        for node in ast.walk(tree):
            where = f"{rel}:{getattr(node, 'lineno', '?')}"
            for name, value in _comprehension_strings(node):
                if name == "qr":
                    used.setdefault(f"qr.{value}.label", where)
                    used.setdefault(f"qr.{value}.text", where)
            if isinstance(node, ast.Call) and _call_name(node) and node.args:
                for value in _first_arg_strings(node.args[0], where):
                    if _call_name(node) == "qr":
                        used.setdefault(f"qr.{value}.label", where)
                        used.setdefault(f"qr.{value}.text", where)
                    else:
                        used.setdefault(value, where)
            # keys picked into a variable first: verdict = "score.passes" if ... else "score.below_pass"
            if (
                path.parts[len(ROOT.parts)] == "bot"
                and isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and KEY_LIKE.match(node.value)
                and node.value.split(".")[0] in SECTIONS
            ):
                used.setdefault(node.value, where)
    for path in TEMPLATES:
        for match in re.finditer(r"""\b(?:t|tr)\(\s*['"]([^'"]+)['"]\s*[),]""", path.read_text(encoding="utf-8")):
            used.setdefault(match.group(1), str(path.relative_to(ROOT)))
    return used


def test_the_scan_finds_the_keys_it_should():
    used = keys_used_in_code()
    for key in [
        "score.total",
        "score.passes",
        "score.below_pass",
        "indicator.7.name",
        "indicator.10.short",
        "tool.oit.name",
        "qr.score.label",
        "qr.concept_levels.text",
        "qr.help.text",
        "social.welcome",
        "social.welcome_back",
        "social.unsupported.video",
        "progress.status.in_progress",
        "issue_area.7",
        "extreme.weakest",
        "concept.eit",
        "agency.which_of",
        "admin.login_failed",
        "admin.chat_title",
    ]:
        assert key in used, key
    assert len(used) > 100


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_used_in_code_exists(lang):
    have = catalog(lang)
    missing = {key: where for key, where in keys_used_in_code().items() if key not in have}
    assert missing == {}


# --- quick-reply labels fit LINE ----------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_quick_reply_label_fits_in_20_units(lang):
    too_long = {}
    for key, value in catalog(lang).items():
        if key.startswith("qr.") and key.endswith(".label"):
            label = str(value).format(threshold="85", number=10, year=2568)
            if not 1 <= utf16_len(label) <= MAX_LABEL:
                too_long[key] = label
    assert too_long == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_quick_reply_text_fits_a_message_action(lang):
    for key, value in catalog(lang).items():
        if key.startswith("qr.") and key.endswith(".text"):
            assert 1 <= utf16_len(str(value).format(threshold="85.5", number=10, year=2568)) <= 300, key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_kit_quick_replies_fit_with_realistic_values(lang):
    kit = Kit(lang=lang, threshold=85.0, staff_contact="")
    quick = [
        *kit.menu(),
        kit.qr("below", threshold="85"),
        kit.qr("measures_for", number=10),
        kit.qr("indicator", number=10),
        kit.qr("year", year=2568),
    ]
    assert all(1 <= utf16_len(q.label) <= MAX_LABEL for q in quick)


# --- a missing key is a bug ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_missing_key_raises_key_error(lang):
    with pytest.raises(KeyError):
        t("score.no_such_key", lang)
    with pytest.raises(KeyError):
        t("no_such_section.total", lang, agency="x")
    kit = Kit(lang=lang, threshold=85.0, staff_contact="")
    with pytest.raises(KeyError):
        kit.t("social.no_such_key")
    with pytest.raises(KeyError):
        kit.qr("no_such_button")
    with pytest.raises(KeyError):
        kit.indicator_name(11)


def test_a_section_is_not_a_string():
    with pytest.raises(KeyError):
        t("score")


def test_a_missing_placeholder_value_raises():
    with pytest.raises(KeyError):
        t("score.total", "th", agency="อบต.น้ำโมง")


def test_unknown_language_falls_back_to_thai():
    assert t("social.greeting", "fr") == t("social.greeting", "th")
    assert t("social.greeting", "en") != t("social.greeting", "th")
