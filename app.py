"""Application factory: `flask --app app ...` and `gunicorn 'app:create_app()'`."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

import settings
from models import db

log = logging.getLogger(__name__)


def create_app(config: dict | None = None) -> Flask:
    """Build the app from the environment, overridden by `config`. Starts no thread, opens nothing."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(settings.load(config, app.instance_path))
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = app.config["APP_ENV"] == "production"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}}

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)

    @app.get("/healthz")
    def healthz():
        """For the load balancer: 503 when the database cannot be reached (events could not be recorded)."""
        try:
            db.session.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return jsonify(status="database unavailable"), 503
        finally:
            db.session.remove()
        return jsonify(status="ok")

    @app.before_request
    def start_event_workers() -> None:
        # The first request of a (re)started process also starts the sweep that answers
        # events recorded before a crash. Cheap after the first call.
        app.extensions["event_dispatcher"].start()

    return app


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL and a busy timeout let the webhook and the event workers share one SQLite file."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        # With WAL, NORMAL keeps every commit across a crash of the process (not of the OS) without an
        # fsync per commit. Production runs PostgreSQL; this is the embedded default.
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()


def register_extensions(app: Flask) -> None:
    from flask_migrate import Migrate
    from werkzeug.middleware.proxy_fix import ProxyFix

    from admin.auth import limiter, login_manager, login_throttled
    from admin.security import csrf
    from bot.line.dispatcher import EventDispatcher

    if app.config["TRUSTED_PROXIES"]:
        proxies = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    db.init_app(app)
    # Batch mode lets later migrations alter tables on SQLite too.
    Migrate(app, db, directory=str(app.root_path) + "/migrations", render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    limiter.init_app(app)
    app.register_error_handler(429, login_throttled)
    app.extensions["event_dispatcher"] = EventDispatcher(app)


def register_blueprints(app: Flask) -> None:
    from werkzeug.routing import IntegerConverter

    from admin import bp as admin_bp
    from admin.auth import limiter
    from bot.line.webhook import bp as webhook_bp

    class RowId(IntegerConverter):
        """<int:...> in a URL: an id a database integer column can hold (a longer number is a 404, not a 500)."""

        def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):  # noqa: A002
            super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    app.url_map.converters["int"] = RowId
    app.register_blueprint(webhook_bp)
    limiter.exempt(webhook_bp)  # LINE's deliveries: signed, and never to be throttled by the login limits
    app.register_blueprint(admin_bp)


def register_errorhandlers(app: Flask) -> None:
    from werkzeug.exceptions import HTTPException

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code in (403, 404) and _wants_page():
            from flask import render_template

            return render_template("admin/error.html", code=exc.code), exc.code
        return jsonify(error=exc.name, status=exc.code), exc.code

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        # No request data in the log line: it may carry a citizen's message.
        log.error("unhandled %s on %s", type(exc).__name__, _endpoint())
        return jsonify(error="Internal Server Error", status=500), 500


def _wants_page() -> bool:
    """A person in a browser on a backend page (not the webhook, not a JSON client)."""
    from flask import request

    # best_match, not .best: Chromium's Accept header lists application/signed-exchange;v=b3;q=0.7, which
    # werkzeug's .best puts first (parameters outrank quality), so browsers were served bare JSON errors.
    wanted = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.path.startswith("/admin") and wanted == "text/html"


def _endpoint() -> str:
    from flask import request

    return request.endpoint or "?"


def register_commands(app: Flask) -> None:
    import cli

    cli.register(app)
