"""One page of a list: the rows, and links to the neighbouring pages keeping the filters."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for
from sqlalchemy import Select, func, select

from models import db

PER_PAGE = 50


@dataclass
class Page:
    items: list
    number: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def url(self, number: int) -> str:
        args = request.args.to_dict()
        args["page"] = number
        return url_for(request.endpoint, **(request.view_args or {}), **args)


def paginate(query: Select, per_page: int = PER_PAGE) -> Page:
    """The page the request asks for (?page=N); a page number out of range gives the nearest page."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // per_page))
    number = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    items = list(db.session.scalars(query.limit(per_page).offset((number - 1) * per_page)))
    return Page(items, number, pages, total)
