"""Importing ITA results and measures in the browser: upload, every bad row and column shown, preview, confirm.

The files wait in UPLOAD_FOLDER between the check and the confirmation (an hour at most), tied to the user
and session that uploaded them. Nothing is written to the database until the confirmation, in one
transaction, checked again.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import shutil
import time
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, request, send_file, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from wtforms import MultipleFileField, StringField

from admin import bp
from admin.access import has_right, requires
from admin.audit import record
from admin.ita import forget_bot_data
from admin.ui import lang, tr
from models import (
    Agency,
    db,
)
from models.ita_import import (
    apply,
    check_files,
    database_refused,
)
from models.ita_import_check import Validated
from models.ita_import_messages import Msg
from models.ita_import_plan import plan
from models.ita_import_tables import TABLES, Issue

TEMPLATE_FILE = Path("docs") / "import-template" / "ita-import-template.xlsx"
IMPORT_MAX_BYTES = 5 * 1024 * 1024  # per upload, all files together
IMPORT_MAX_FILES = 10
IMPORT_EXTENSIONS = (".xlsx", ".csv")
IMPORT_KEEP_SECONDS = 3600  # an upload not confirmed within an hour is deleted
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


class ImportForm(FlaskForm):
    files = MultipleFileField()


class ConfirmImportForm(FlaskForm):
    token = StringField()


# --- import ----------------------------------------------------------------------------------------------


def _uploads() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "ita"


def _sweep_uploads() -> None:
    """Delete uploads older than an hour (never confirmed, or left by a crash)."""
    root = _uploads()
    if not root.is_dir():
        return
    cutoff = time.time() - IMPORT_KEEP_SECONDS
    for folder in root.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


def _safe_name(name: str, taken: set[str]) -> str:
    """The uploaded file's own name (it locates errors and names the table), made safe to store."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = re.sub(r'[\x00-\x1f<>:"|?*]', "_", base).strip(" .")[:120] or "upload"
    stem, dot, ext = base.rpartition(".")
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}.{ext}" if dot else f"{base}-{n}"
    taken.add(candidate)
    return candidate


def _upload_folder(token: str) -> Path | None:
    """The confirmed upload's folder: only a well-formed token this user was given in this session."""
    if not _TOKEN.fullmatch(token or "") or session.get("ita_import") != token:
        return None
    folder = _uploads() / token
    manifest = folder / "manifest.json"
    try:
        meta = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != current_user.id or time.time() - meta.get("at", 0) > IMPORT_KEEP_SECONDS:
        return None
    return folder


def _files_of(folder: Path) -> list[Path]:
    meta = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [folder / "files" / name for name in meta["files"]]


def _refuse_foreign(validated: Validated) -> list[Issue]:
    """Rows of agencies the user does not work for; a new agency only from an administrator."""
    mine = {a.slug for a in current_user.agencies}
    stored = set(db.session.scalars(select(Agency.slug)))
    new_in_file = {row.data["slug"] for row in validated.rows["agencies"] if row.data.get("slug")} - stored
    may_add = current_user.role == "admin"
    issues = []
    for table in TABLES:
        column = "slug" if table == "agencies" else "agency"
        for row in validated.rows[table]:
            slug = row.data.get(column)
            if not slug or slug in mine:
                continue
            if slug in stored:
                issues.append(Issue.at(row.record, column, Msg("not_your_agency", slug=slug)))
            elif slug in new_in_file and not may_add:
                issues.append(Issue.at(row.record, column, Msg("new_agency_admin_only", slug=slug)))
    issues.sort(key=lambda issue: issue.order)
    return issues


def _check(files: list[Path]) -> tuple[Validated, list[Issue]]:
    """Every problem at once: the importer's, and rows this user may not import."""
    validated, errors = check_files(files)
    foreign = _refuse_foreign(validated)
    if foreign:
        errors = sorted([*errors, *foreign], key=lambda issue: issue.order)
    return validated, errors


def _import_page(form: ImportForm, status: int = 200, **context):
    return (
        render_template(
            "admin/ita_import.html",
            form=form,
            max_mb=IMPORT_MAX_BYTES // (1024 * 1024),
            column_meaning=_column_meaning,
            user_lang=lang(),
            **context,
        ),
        status,
    )


def _too_large() -> str:
    return tr("ita_admin.upload.too_large", mb=IMPORT_MAX_BYTES // (1024 * 1024))


def _upload_error(message: str, status: int = 400):
    return _import_page(ImportForm(formdata=None), status, upload_error=message)


@bp.record_once
def _raise_upload_limit(state) -> None:
    """Let the import page take files up to IMPORT_MAX_BYTES (the app's limit is the webhook's, 1 MB).

    Runs before every other before_request (the CSRF check reads the body): a request to the import
    page may be larger; one larger than the cap gets the upload page with a clear message, not a bare 413.
    """
    app = state.app

    def raise_limit():
        if request.endpoint != "admin.ita_import" or request.method != "POST":
            return None
        if (request.content_length or 0) > IMPORT_MAX_BYTES + 64 * 1024:
            if current_user.is_authenticated and has_right("ita.edit"):
                # Not read, not rendered here (a page's forms would read the body): back to the page, told why.
                return redirect(url_for("admin.ita_import", refused="too_large"), 303)
            return None  # the usual limit answers
        request.max_content_length = IMPORT_MAX_BYTES + 64 * 1024
        return None

    app.before_request_funcs.setdefault(None, []).insert(0, raise_limit)


@bp.route("/ita/import", methods=["GET", "POST"])
@requires("ita.edit")
def ita_import():
    """Upload, then check everything and show every problem, or a preview to confirm. Nothing is written here."""
    form = ImportForm()
    if not form.is_submitted():
        if request.args.get("refused") == "too_large":
            return _import_page(form, upload_error=_too_large())
        return _import_page(form)
    if not form.validate_on_submit():
        return _upload_error(tr("ita_admin.upload.expired"))
    uploads = [f for f in request.files.getlist("files") if f and f.filename]
    if not uploads:
        return _upload_error(tr("ita_admin.upload.none"))
    if len(uploads) > IMPORT_MAX_FILES:
        return _upload_error(tr("ita_admin.upload.too_many", count=IMPORT_MAX_FILES))
    for upload in uploads:
        if not upload.filename.lower().endswith(IMPORT_EXTENSIONS):
            return _upload_error(tr("ita_admin.upload.wrong_type", name=upload.filename))
    _sweep_uploads()
    token = secrets.token_urlsafe(24)
    folder = _uploads() / token
    (folder / "files").mkdir(parents=True)
    names: list[str] = []
    total = 0
    taken: set[str] = set()
    for upload in uploads:
        name = _safe_name(upload.filename, taken)
        data = upload.stream.read(IMPORT_MAX_BYTES + 1)
        total += len(data)
        if total > IMPORT_MAX_BYTES:
            shutil.rmtree(folder, ignore_errors=True)
            return _upload_error(_too_large(), 413)
        if not data:
            shutil.rmtree(folder, ignore_errors=True)
            return _upload_error(tr("ita_admin.upload.empty", name=name))
        (folder / "files" / name).write_bytes(data)
        names.append(name)
    (folder / "manifest.json").write_text(
        json.dumps({"user_id": current_user.id, "at": time.time(), "files": names}), encoding="utf-8"
    )
    validated, errors = _check(_files_of(folder))
    if errors:
        shutil.rmtree(folder, ignore_errors=True)
        session.pop("ita_import", None)
        return _import_page(form, 422, errors=errors, files=names)
    session["ita_import"] = token
    return _import_page(form, plan=plan(validated), files=names, confirm=ConfirmImportForm(token=token))


@bp.post("/ita/import/confirm")
@requires("ita.edit")
def ita_import_confirm():
    """Import the file checked a moment ago: checked again (the database may have changed), then written."""
    confirm = ConfirmImportForm()
    folder = _upload_folder(confirm.token.data) if confirm.validate_on_submit() else None
    if folder is None:
        return _upload_error(tr("ita_admin.upload.expired"), 410)
    files = _files_of(folder)
    names = [f.name for f in files]
    validated, errors = _check(files)
    if errors:
        shutil.rmtree(folder, ignore_errors=True)
        session.pop("ita_import", None)
        return _import_page(ImportForm(formdata=None), 422, errors=errors, files=names)
    new_slugs = {row.data["slug"] for row in validated.rows["agencies"]} - set(db.session.scalars(select(Agency.slug)))
    try:
        summary = apply(validated, commit=False)
        for agency in db.session.scalars(select(Agency).where(Agency.slug.in_(new_slugs))):
            current_user.agencies.append(agency)  # the admin who adds an agency works for it
        record("import", None, None, files=len(files), rows=summary)  # how many rows per table, no content
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        return _import_page(ImportForm(formdata=None), 409, errors=[database_refused(exc)], files=names)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        session.pop("ita_import", None)
    forget_bot_data()
    flash(tr("ita_admin.import.done", **{t: n for t, n in summary.items()}), "success")
    return redirect(url_for("admin.ita"))


@bp.get("/ita/import/template.xlsx")
@requires("ita.edit")
def ita_template():
    """The import template (docs/import-template/), generated from the importer's own table definitions."""
    path = Path(current_app.root_path) / TEMPLATE_FILE
    if not path.is_file():
        abort(404)
    return send_file(
        io.BytesIO(path.read_bytes()),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=path.name,
    )


def _column_meaning(column: str | None) -> str:
    """A column's meaning for the table of problems, in the user's language; '' for a column it does not know."""
    for columns in TABLES.values():
        for known in columns:
            if known.name == column:
                return known.th if lang() == "th" else known.help
    return ""
