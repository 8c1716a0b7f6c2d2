"""Finding the agency a citizen means: official name, short form, bare name, typos."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pythainlp.corpus import provinces, thai_stopwords
from pythainlp.tokenize import word_tokenize
from rapidfuzz import fuzz

from bot.nlu.text import compact, normalize

# Prefixes by agency kind, longest first, as they appear in compact text (dots removed).
KIND_PREFIXES: list[tuple[str, str]] = [
    ("องค์การบริหารส่วนจังหวัด", "pao"),
    ("องค์การบริหารส่วนตำบล", "sao"),
    ("เทศบาลนคร", "municipality"),
    ("เทศบาลเมือง", "municipality"),
    ("เทศบาลตำบล", "municipality"),
    ("เทศบาล", "municipality"),
    ("จังหวัด", "province"),
    ("อบจ", "pao"),
    ("อบต", "sao"),
    ("ทต", "municipality"),
    ("ทม", "municipality"),
    ("ทน", "municipality"),
    ("จ", "province"),
]
_EN_KIND_WORDS = re.compile(
    r"\b(provincial administrative organi[sz]ation|provincial administration organi[sz]ation|subdistrict administrative "
    r"organi[sz]ation|sub-district administrative organi[sz]ation|province|pao|sao|municipality|tao)\b"
)
_NAMED = re.compile(
    "(องค์การบริหารส่วนจังหวัด|องค์การบริหารส่วนตำบล|เทศบาลนคร|เทศบาลเมือง|เทศบาลตำบล|เทศบาล|จังหวัด|อบจ|อบต)([ก-๙]{2,})"
)
_THAI_LETTERS = re.compile(r"[ก-๙]+")
FUZZY_MIN_LENGTH = 5
SHORT_FORM = 4  # shorter names ("นรา", "นธ") only match as whole words, never inside one
FUZZY_SCORE = 84


@dataclass
class AgencyForm:
    form: str  # compact
    slug: str
    kind: str
    bare: bool  # the name without its kind prefix
    core_at: int | None = None  # where the bare name starts inside this form, if it does


@dataclass
class AgencyMatch:
    slug: str | None = None
    candidates: list[str] = field(default_factory=list)  # ambiguous: ask back
    unknown: str | None = None  # named, but not in our data


def core_name(name_th: str) -> str:
    name = compact(normalize(name_th))
    for prefix, _ in KIND_PREFIXES:
        if len(prefix) > 2 and name.startswith(prefix):
            return name[len(prefix) :]
    return name


class AgencyIndex:
    """Built from the agencies in the database; cheap to query for every message."""

    def __init__(self, agencies: list[dict]):
        self.forms: list[AgencyForm] = []
        self.kinds = {a["slug"]: a["kind"] for a in agencies}
        seen = set()
        for agency in agencies:
            core = core_name(agency["name_th"])
            names = [agency["name_th"], *(agency.get("aliases") or [])]
            if agency.get("name_en"):
                names.append(agency["name_en"])
                names.append(_EN_KIND_WORDS.sub("", agency["name_en"].lower()))
            en_core = compact(_EN_KIND_WORDS.sub("", (agency.get("name_en") or "").lower()))
            for name in names:
                form = compact(normalize(name))
                if len(form) >= 2 and (form, agency["slug"]) not in seen:
                    seen.add((form, agency["slug"]))
                    at = form.find(core) if core and core in form else None
                    if at is None and en_core and form.startswith(en_core):
                        at = 0
                    self.forms.append(
                        AgencyForm(form, agency["slug"], agency["kind"], bare=form in (core, en_core), core_at=at)
                    )
            if core and (core, agency["slug"]) not in seen:
                seen.add((core, agency["slug"]))
                self.forms.append(AgencyForm(core, agency["slug"], agency["kind"], bare=True, core_at=0))
        self.forms.sort(key=lambda f: len(f.form), reverse=True)
        self._provinces = sorted({compact(p) for p in provinces(details=False)}, key=len, reverse=True)

    def find(self, text: str) -> AgencyMatch:
        squeezed = compact(text)
        exact = self._exact(squeezed)
        if exact is not None:
            return exact
        fuzzy = self._fuzzy(squeezed)
        if fuzzy is not None:
            return fuzzy
        return AgencyMatch(unknown=self._unknown_name(squeezed))

    def strip_names(self, squeezed: str) -> str:
        """The text without any agency name or prefix in it."""
        for form in self.forms:
            squeezed = squeezed.replace(form.form, "")
        for prefix, _ in KIND_PREFIXES:
            if len(prefix) > 1:
                squeezed = squeezed.replace(prefix, "")
        return squeezed

    def _exact(self, squeezed: str) -> AgencyMatch | None:
        found: dict[str, int] = {}
        conflict: str | None = None
        tokens: set[str] | None = None
        for form in self.forms:
            start = squeezed.find(form.form)
            if start < 0:
                continue
            if len(form.form) < SHORT_FORM:
                if tokens is None:
                    tokens = set(word_tokenize(squeezed, keep_whitespace=False))
                if form.form not in tokens:
                    continue
            if form.core_at is not None:
                prefix, kind = _prefix_kind(squeezed[: start + form.core_at])
                if kind is None and form.bare:
                    prefix, kind = _suffix_kind(squeezed[start + len(form.form) :])
                if kind and kind != form.kind:
                    core = form.form[form.core_at :]
                    same_core = [f for f in self.forms if f.bare and f.form == core and f.kind == kind]
                    if not same_core:
                        conflict = _display_prefix(prefix, core)
                        continue
                    form = same_core[0]
                if kind is None and any(f.form == form.form and f.slug != form.slug for f in self.forms):
                    slugs = sorted({f.slug for f in self.forms if f.form == form.form})
                    return AgencyMatch(candidates=slugs)
            found[form.slug] = max(found.get(form.slug, 0), len(form.form))
        if found:
            best = max(found.values())
            winners = sorted(slug for slug, length in found.items() if length == best)
            return AgencyMatch(slug=winners[0]) if len(winners) == 1 else AgencyMatch(candidates=winners)
        if conflict:
            return AgencyMatch(unknown=conflict)
        return None

    def _fuzzy(self, squeezed: str) -> AgencyMatch | None:
        best: dict[str, float] = {}
        for form in self.forms:
            if len(form.form) < FUZZY_MIN_LENGTH or len(squeezed) < FUZZY_MIN_LENGTH - 1:
                continue
            score = fuzz.partial_ratio(form.form, squeezed)
            if score >= FUZZY_SCORE:
                best[form.slug] = max(best.get(form.slug, 0), score)
        if not best:
            return None
        top = max(best.values())
        winners = sorted(slug for slug, score in best.items() if score >= top - 2)
        return AgencyMatch(slug=winners[0]) if len(winners) == 1 else AgencyMatch(candidates=winners)

    def _unknown_name(self, squeezed: str) -> str | None:
        """A name the citizen gave that we have no data for, to say so rather than guess."""
        match = _NAMED.search(squeezed)
        if match:
            name = _name_after_prefix(word_tokenize(match.group(2), keep_whitespace=False))
            if name:
                prefix = {"อบจ": "อบจ.", "อบต": "อบต."}.get(match.group(1), match.group(1))
                return prefix + name
        tokens: list[str] | None = None
        for province in self._provinces:
            at = squeezed.find(province)
            if at < 0:
                continue
            prefixed = squeezed[:at].endswith(("จังหวัด", "จ"))
            if len(province) < SHORT_FORM and not prefixed:  # เลย, ตาก: ordinary words too
                continue
            if tokens is None:
                tokens = word_tokenize(squeezed, keep_whitespace=False)
            if prefixed or province in tokens:
                return "จังหวัด" + province
        return None


_NOT_A_NAME = {"ไหน", "อะไร", "นี้", "นั้น", "เรา", "ของ", "ได้", "มี", "ผล", "คะแนน", "ทั้งหมด", "ต่างๆ", "อื่น", "ใด", "ไหม"}
_ENDS_A_NAME = {
    "ปี",
    "ปีงบ",
    "ปีงบประมาณ",
    "คะแนน",
    "ตัวชี้วัด",
    "มาตรการ",
    "ผล",
    "ระดับ",
    "แต้ม",
    "ผ่าน",
    "ตก",
    "เท่าไหร่",
    "เท่าไร",
    "กี่",
    "ita",
    "ไอทีเอ",
    "อำเภอ",
    "อ",
    "จังหวัด",
    "จ",
}


def _name_after_prefix(words: list[str]) -> str | None:
    """'บาง|รัก|ได้|กี่|คะแนน' → 'บางรัก': place names often split into words that are also stopwords."""
    if not words or words[0] in _NOT_A_NAME or not _THAI_LETTERS.fullmatch(words[0]):
        return None
    name = words[0]
    for word in words[1:]:
        if word in _ENDS_A_NAME or word in thai_stopwords() or not _THAI_LETTERS.fullmatch(word):
            break
        name += word
    return name if len(name) >= 2 else None


def _prefix_kind(before: str) -> tuple[str | None, str | None]:
    """The kind prefix (and its kind) written just before a name: 'อบจ' → pao."""
    for prefix, kind in KIND_PREFIXES:
        if before.endswith(prefix):
            return prefix, kind
    return None, None


_EN_SUFFIXES = [
    ("province", "province"),
    ("pao", "pao"),
    ("provincial", "pao"),
    ("sao", "sao"),
    ("tao", "sao"),
    ("subdistrict", "sao"),
    ("municipality", "municipality"),
    ("town", "municipality"),
    ("city", "municipality"),
]


def _suffix_kind(after: str) -> tuple[str | None, str | None]:
    """The English kind word written just after a name: 'nakhon phanom province' → province."""
    for word, kind in _EN_SUFFIXES:
        if after.startswith(word):
            return word, kind
    return None, None


def _display_prefix(prefix: str | None, core: str) -> str:
    """How to name back an agency we do not have, as the citizen wrote its kind."""
    if prefix and prefix.isascii():
        return f"{core} {prefix}".title()
    shown = {"อบจ": "อบจ.", "อบต": "อบต.", "จ": "จังหวัด", "ทต": "ทต.", "ทม": "ทม.", "ทน": "ทน."}.get(
        prefix or "", prefix or ""
    )
    return shown + core
