"""Normalising what citizens type: Thai digits, tone-mark order, spacing, case."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pythainlp.util import normalize as thai_normalize
from pythainlp.util import thai_digit_to_arabic_digit

_INVISIBLE = re.compile(r"[\u200b-\u200d\ufeff\u00ad]")
_SPACES = re.compile(r"\s+")
_PUNCT = re.compile(r"[\s.\-_,!?'\"“”‘’()\[\]:;/\\~^*+=|<>@#&…ฯ]+")
_REPEATS = re.compile(r"([ะ-ๅ็-์])\1+|(\S)\2{3,}")
_THAI = re.compile(r"[ก-๙]")
_LATIN_WORD = re.compile(r"[a-zA-Z]{2,}")
CODE_WORDS = {"ita", "iit", "eit", "oit", "ok"}
_CODES = re.compile(r"e-?service|\b[ieo]\d{1,2}\b", re.IGNORECASE)


@lru_cache(maxsize=16)
def normalize(text: str) -> str:
    """Canonical spaced form: NFC, pythainlp's Thai normalisation, Arabic digits, lower case.

    One message is normalised by the flow triggers, the tracking-number check and the understanding
    in turn; the last few results are kept so that it costs once, not three times.
    """
    text = unicodedata.normalize("NFC", text or "")
    text = _INVISIBLE.sub("", text)
    text = thai_normalize(text)
    text = thai_digit_to_arabic_digit(text)
    text = text.replace("ๆ", "ๆ").lower()
    text = _REPEATS.sub(lambda m: m.group(1) or m.group(2) * 2, text)  # "มากกกกก" → "มากก"
    return canonical_words(_SPACES.sub(" ", text).strip())


_INDICATOR_WORD = re.compile(r"ตัว\s?ช[ี้ิ]{0,2}ว[ัะ]?ด|ตัวชีัวัด|ตัวชี้วัส|ตัวชีวัด|ตชว\.?")


def canonical_words(normalized: str) -> str:
    """Spellings of key words folded to one form (ตัวชี้วด, ตัวชีวัด → ตัวชี้วัด)."""
    return _INDICATOR_WORD.sub("ตัวชี้วัด", normalized)


def compact(normalized: str) -> str:
    """No spaces, no punctuation: 'อบต. น้ำโมง' and 'อบตน้ำโมง' look the same."""
    return _PUNCT.sub("", normalized)


def language_of(text: str) -> str | None:
    """'en' for English, 'th' for Thai, None when it cannot tell (digits, codes, emoji)."""
    if _THAI.search(text):
        return "th"
    words = [w.lower() for w in _LATIN_WORD.findall(_CODES.sub(" ", text))]
    if any(w not in CODE_WORDS for w in words):
        return "en"
    return None
