"""The importer's messages: English for `flask import`, Thai for the backend, from one catalog in locales/.

A message is a `Msg`: it reads as its English text wherever a plain string is expected (the CLI prints
it unchanged), and `render(lang)` gives it in any language of the catalog (ita_admin.importer.* in
locales/<lang>.ita.yaml). Values may themselves be messages (a hint inside a message); they are
rendered in the same language.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, catalog

PREFIX = "ita_admin.importer."


class Msg(str):
    """A catalog message that is also its English text."""

    key: str
    values: dict[str, Any]

    def __new__(cls, key: str, /, **values: Any) -> Msg:
        self = super().__new__(cls, _render(key, values, "en"))
        self.key = key
        self.values = values
        return self

    def render(self, lang: str) -> str:
        return _render(self.key, self.values, lang)


def _render(key: str, values: dict[str, Any], lang: str) -> str:
    template = str(catalog(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)[PREFIX + key])
    return template.format(**{name: in_language(value, lang) for name, value in values.items()})


def in_language(message: Any, lang: str) -> Any:
    """A message in `lang`; anything that is not a catalog message is left as it is (YAML-only problems)."""
    return message.render(lang) if isinstance(message, Msg) else message


def text_of(exc: BaseException) -> str:
    """An exception's message, keeping a Msg a Msg (str(exc) would turn it into plain English)."""
    return exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
