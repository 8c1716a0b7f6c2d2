"""The web backend: staff inbox, complaint cases, ITA data, statistics, reports and the web chat."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates", static_folder="static")

# Routes register on import of the package.
from admin import (  # noqa: E402,F401
    auth,
    cases,
    chat,
    exports,
    inbox,
    ita,
    ita_measures,
    ita_upload,
    reports,
    security,
    stats,
    ui,
    users,
)
