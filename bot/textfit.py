"""Fitting text into a length limit the way Thai readers expect: counted in UTF-16 units, cut between words."""

from __future__ import annotations

import re

from pythainlp.tokenize import word_tokenize


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# A Thai grapheme: optional leading vowel, a base character, then its above/below marks.
_GRAPHEME = re.compile(r"[\u0e40-\u0e44]?.[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]*", re.DOTALL)


def clip(text: str, limit: int) -> str:
    """Cut to `limit` UTF-16 units between words (or, for one long word, between graphemes), marking the cut."""
    if utf16_len(text) <= limit:
        return text
    out = ""
    for word in word_tokenize(text, keep_whitespace=True):
        if utf16_len(out + word) > limit - 1:
            break
        out += word
    if not out.strip():
        for grapheme in _GRAPHEME.findall(text):
            if utf16_len(out + grapheme) > limit - 1:
                break
            out += grapheme
    return out.rstrip() + "…"
