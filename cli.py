"""Command-line tasks: `flask --app app load-demo | import | import-template | create-user | process-events | rich-menu`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, inspect, select

from bot.i18n import LANGUAGES
from models import Agency, ChatMessage, User, db
from models.user import ROLES


def forget_cached_data() -> None:
    """Answers in this process use the new data at once; web workers re-read within a minute."""
    from bot.data import forget

    forget()


def register(app: Flask) -> None:
    for command in (
        load_demo_command,
        import_command,
        import_template_command,
        create_user_command,
        dev_admin_command,
        undelivered_command,
        process_events_command,
        rich_menu_command,
    ):
        app.cli.add_command(command)


def ensure_schema() -> None:
    """An empty database gets the schema first; one that has it is left as it is."""
    if not inspect(db.engine).has_table("agencies"):
        upgrade_schema()


def upgrade_schema() -> None:
    """Bring the database to the newest migration (creates it when empty)."""
    from flask_migrate import upgrade

    upgrade(directory=str(Path(current_app.root_path) / "migrations"))


@click.command("load-demo")
@with_appcontext
def load_demo_command() -> None:
    """Create the schema if needed and load the demo agencies; a second run changes nothing."""
    from models.ita_import import load_demo

    upgrade_schema()
    if db.session.scalar(select(func.count()).select_from(Agency)):
        click.echo("Demo data already present: nothing changed.")
        return
    summary = load_demo()
    forget_cached_data()
    click.echo(f"Loaded demo data: {summary}")


@click.command("import")
@with_appcontext
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def import_command(files: tuple[str, ...]) -> None:
    """Import ITA results and measures from CSV or XLSX files (all or nothing)."""
    from models.ita_import import import_files

    ensure_schema()
    result = import_files([Path(f) for f in files])
    if result.errors:
        for issue in result.errors:
            click.echo(str(issue), err=True)
        raise click.ClickException(f"{len(result.errors)} error(s); nothing was imported.")
    forget_cached_data()
    click.echo(f"Imported: {result.summary}")


@click.command("import-template")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory to write into (default: docs/import-template/ in the project).",
)
@with_appcontext
def import_template_command(out: Path | None) -> None:
    """Write the import template: one XLSX with a sheet per table, and one CSV per table."""
    from models.ita_import import write_template

    directory = out or Path(current_app.root_path) / "docs" / "import-template"
    for path in write_template(directory):
        click.echo(f"Wrote {path}")


@click.command("create-user")
@with_appcontext
@click.option("--username", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option(
    "--agency",
    "agencies",
    multiple=True,
    help="Slug of an agency the user works for (repeat for several, or 'all'). Admins default to all.",
)
@click.option("--full-name", default=None, help="The name shown to colleagues.")
def create_user_command(username: str, password: str, role: str, agencies: tuple[str, ...], full_name: str | None):
    """Create a backend user, or reset the password, role and agencies of an existing one."""
    from admin.audit import record

    ensure_schema()
    # Logins match names whatever their case, so "Somchai" and "somchai" are one account here too.
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    created = user is None
    before = None if created else {"role_before": user.role, "agencies_before": _slugs(user.agencies)}
    if created:
        user = User(username=username, role=role)
        db.session.add(user)
    user.role = role
    try:
        user.set_password(password)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--password") from exc
    if agencies or created:  # an update without --agency keeps the user's agencies
        user.agencies = _agencies_named(agencies, role)
    chosen = user.agencies
    if full_name is not None:
        user.full_name = full_name
    user.rotate_session_token()  # a reset ends the sessions the old password opened
    db.session.flush()
    if created:
        record("user_created", "user", user.id, role=role, agencies=_slugs(chosen), via="cli")
    else:
        after = {"role_after": role, "agencies_after": _slugs(chosen), "password_reset": True}
        record("user_changed", "user", user.id, via="cli", **before, **after)
    db.session.commit()
    names = ", ".join(agency.slug for agency in chosen) or "none"
    click.echo(f"{'Created' if created else 'Updated'} {role} '{username}' (agencies: {names}).")


def _slugs(agencies) -> list[str]:
    return sorted(agency.slug for agency in agencies)


def _agencies_named(slugs: tuple[str, ...], role: str) -> list[Agency]:
    everyone = list(db.session.scalars(select(Agency).order_by(Agency.id)))
    if "all" in slugs or (not slugs and role == "admin"):
        return everyone
    if not slugs:
        raise click.BadParameter(f"a {role} must work for at least one agency", param_hint="--agency")
    by_slug = {agency.slug: agency for agency in everyone}
    unknown = [slug for slug in slugs if slug not in by_slug]
    if unknown:
        known = ", ".join(by_slug) or "none loaded yet"
        raise click.BadParameter(f"unknown agency {', '.join(unknown)} (known: {known})", param_hint="--agency")
    return [by_slug[slug] for slug in dict.fromkeys(slugs)]


@click.command("dev-admin")
@with_appcontext
def dev_admin_command() -> None:
    """Development only: make sure a first admin exists and print how to log in (used by `make run`)."""
    import secrets

    if current_app.config["APP_ENV"] != "development":
        raise click.ClickException("dev-admin only runs with APP_ENV=development; use create-user in production.")
    ensure_schema()
    secret_file = Path(current_app.instance_path) / "dev-admin-password.txt"
    user = db.session.scalar(select(User).where(User.username == "admin"))
    if user is None or not secret_file.exists():
        password = secrets.token_urlsafe(12)
        user = user or User(username="admin", role="admin")
        user.set_password(password)
        user.agencies = list(db.session.scalars(select(Agency).order_by(Agency.id)))
        db.session.add(user)
        db.session.commit()
        secret_file.write_text(password + "\n", encoding="utf-8")
        secret_file.chmod(0o600)
    click.echo(f"  username: admin\n  password: {secret_file.read_text(encoding='utf-8').strip()}")


@click.command("undelivered")
@click.option("--resend", "resend_ids", multiple=True, type=int, help="Send this failed reply again (once).")
@with_appcontext
def undelivered_command(resend_ids: tuple[int, ...]) -> None:
    """List replies LINE never accepted, or send chosen ones again, once each (as a push)."""
    from bot.line.processing import resend_failed

    if resend_ids:
        for message_id in resend_ids:
            click.echo(f"reply {message_id}: {resend_failed(message_id)}")
        return
    rows = db.session.execute(
        select(ChatMessage.id, ChatMessage.created_at, ChatMessage.attempts, ChatMessage.last_error)
        .where(ChatMessage.direction == "out", ChatMessage.status == "failed")
        .order_by(ChatMessage.id)
    ).all()
    if not rows:
        click.echo("No undelivered replies.")
    for message_id, created_at, attempts, error in rows:  # no content, no user id: those stay in the database
        click.echo(f"reply {message_id}  {created_at:%Y-%m-%d %H:%M}  attempts {attempts}  {error}")


@click.command("process-events")
@with_appcontext
def process_events_command() -> None:
    """Answer every recorded event still pending (after a crash, or with no web worker running)."""
    from bot.line.recovery import process_pending

    count = process_pending(current_app._get_current_object())
    click.echo(f"Processed {count} pending event(s).")


@click.command("rich-menu")
@click.option("--lang", type=click.Choice(LANGUAGES), default="th", show_default=True, help="Language of the labels.")
@click.option(
    "--save-image",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Only write the drawn menu image to this file, to preview it; LINE is not called.",
)
@with_appcontext
def rich_menu_command(lang: str, save_image: Path | None) -> None:
    """Install the OA's rich menu as the default, replacing the one an earlier run installed."""
    from bot.line.richmenu import RichMenuFailed, draw_image, encode, install_rich_menu

    if save_image is not None:
        data, content_type = encode(draw_image(lang))
        save_image.write_bytes(data)
        click.echo(f"Wrote {save_image} ({content_type}, {len(data)} bytes); LINE was not called.")
        return
    try:
        installed = install_rich_menu(current_app.config, lang)
    except RichMenuFailed as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Rich menu {installed.menu_id} is the default; {installed.removed} older menu(s) removed.")
