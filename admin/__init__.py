"""The web backend: staff inbox, complaint cases, ITA data, statistics, reports and the web chat."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates", static_folder="static")

from admin import auth, chat, security, ui  # noqa: E402,F401 - routes register on import of the package
