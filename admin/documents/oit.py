"""The five OIT items citizens' participation feeds, each built a section at a time, then rendered."""

from __future__ import annotations

from collections.abc import Callable

from admin.documents import o16, o17, o29, o30, o43
from admin.documents.context import Context
from admin.documents.model import Document
from admin.documents.pdf import render_pdf
from admin.documents.xlsx import render_xlsx

ITEMS: dict[str, Callable] = {
    "o16": o16.sections,
    "o17": o17.sections,
    "o29": o29.sections,
    "o30": o30.sections,
    "o43": o43.sections,
}
RENDERERS: dict[str, Callable[[Document], bytes]] = {"xlsx": render_xlsx, "pdf": render_pdf}
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
}


def check(item: str, ctx: Context) -> None:
    """Raise ExportError now, before a job is queued, for a request the item cannot answer."""
    if item == "o43":
        o43.scope_of(ctx)


def build_document(item: str, ctx: Context, progress: Callable[[int, int], None] = lambda done, total: None):
    """The item's document; progress(done, total) after each section, total counting the rendering too."""
    builders = ITEMS[item](ctx)
    total = len(builders) + 1
    progress(0, total)
    doc = ctx.document(item)
    if item == "o43":
        doc.title = f"{doc.title} {o43.title_suffix(ctx)}"
    for done, make in enumerate(builders, start=1):
        doc.add(make())
        progress(done, total)
    return doc, total


def build(item: str, ctx: Context, fmt: str, progress: Callable[[int, int], None] = lambda done, total: None) -> bytes:
    doc, total = build_document(item, ctx, progress)
    content = RENDERERS[fmt](doc)
    progress(total, total)
    return content
