"""Citizen-facing strings from locales/<lang>.yaml and locales/<lang>.<part>.yaml: Thai first, English beside it."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = ("th", "en")
DEFAULT_LANGUAGE = "th"


@cache
def catalog(lang: str) -> dict[str, object]:
    """Flattened catalog: nested keys joined by dots ('score.total'), from the main file and its parts."""
    flat: dict[str, object] = {}
    for path in [LOCALES_DIR / f"{lang}.yaml", *sorted(LOCALES_DIR.glob(f"{lang}.*.yaml"))]:
        with open(path, encoding="utf-8") as fh:
            part = _flatten(yaml.safe_load(fh) or {})
        clash = flat.keys() & part.keys()
        if clash:
            raise ValueError(f"{path.name} repeats keys: {', '.join(sorted(clash))}")
        flat.update(part)
    return flat


def _flatten(tree: dict, prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values) -> str:
    """The string for `key` in `lang`, formatted with `values`. A missing key is a bug: KeyError."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    template = catalog(lang)[key]
    return str(template).format(**values) if values else str(template)
