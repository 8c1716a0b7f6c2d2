"""The compiled patterns of lexicon.yaml: how citizens say things, loaded on first use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

LEXICON = Path(__file__).with_name("lexicon.yaml")


@dataclass(frozen=True)
class Patterns:
    intents_th: dict[str, re.Pattern]
    intents_en: dict[str, re.Pattern]
    aspects_th: dict[str, re.Pattern]
    aspects_en: dict[str, re.Pattern]
    topics_th: dict[str, re.Pattern]
    issue_areas_th: dict[int, re.Pattern]
    indicators_th: dict[int, re.Pattern]
    indicators_en: dict[int, re.Pattern]
    tools_th: dict[str, re.Pattern]
    tools_en: dict[str, re.Pattern]
    ita: re.Pattern


def _alternatives(patterns: list[str], word_bounded: bool = False) -> re.Pattern:
    joined = "|".join(f"(?:{p})" for p in patterns)
    return re.compile(rf"\b(?:{joined})\b" if word_bounded else joined)


def _compile(table: dict, word_bounded: bool = False) -> dict:
    return {key: _alternatives(patterns, word_bounded) for key, patterns in table.items()}


@cache
def patterns() -> Patterns:
    """Read and compile the lexicon once per process."""
    with open(LEXICON, encoding="utf-8") as fh:
        lexicon = yaml.safe_load(fh)
    return Patterns(
        intents_th=_compile(lexicon["intents"]["th"]),
        intents_en=_compile(lexicon["intents"]["en"]),
        aspects_th=_compile(lexicon["aspects"]["th"]),
        aspects_en=_compile(lexicon["aspects"]["en"]),
        topics_th=_compile(lexicon["topics"]["th"]),
        issue_areas_th=_compile(lexicon["issue_areas"]["th"]),
        indicators_th=_compile(lexicon["indicators"]["th"]),
        indicators_en=_compile(lexicon["indicators"]["en"], word_bounded=True),
        tools_th={tool: re.compile(p) for tool, p in lexicon["tools"]["th"].items()},
        tools_en={tool: re.compile(p) for tool, p in lexicon["tools"]["en"].items()},
        ita=re.compile(lexicon["ita_word"]),
    )
