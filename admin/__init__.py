"""The web backend: login and the web chat page (more resources arrive with the admin issue)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates", static_folder="static")

from admin import auth, chat, security  # noqa: E402,F401 - routes register on import of the package
