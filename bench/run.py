"""`python -m bench.run` (`make bench`): the bot against a bare baseline, understanding cost, accuracy.

Prints a report and writes it as JSON to bench-results/latest.json. Every speed figure is a ratio
against a baseline measured in the same run: the machine is shared and noisy.
Exit status: 0 whatever the goals say (it is a report); 1 if something crashed or a message was lost.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import secrets
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench import load as loadgen
from bench import sampler
from bench.goals import goals_of, print_estimates, throughput_estimates
from bench.report import print_accuracy, print_cost, print_goals, print_load, print_pipeline
from bench.servers import ROOT, Gunicorn, ServerFailed

RESULTS = ROOT / "bench-results" / "latest.json"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    p.add_argument("--messages", type=int, default=600, help="webhook deliveries per target per round (600)")
    p.add_argument("--clients", type=int, default=16, help="concurrent clients, one LINE user each (16)")
    p.add_argument("--rounds", type=int, default=2, help="load rounds per target, alternated ABBA (2)")
    p.add_argument("--send-window", type=float, default=40.0, help="a client stops sending after this many s (40)")
    p.add_argument("--lost-after", type=float, default=30.0, help="no reply within this many s: lost (30)")
    p.add_argument("--cost-rounds", type=int, default=5, help="rounds over the dev corpus for the understanding cost")
    p.add_argument("--quick", action="store_true", help="smaller run: 200 messages, 1 round, 2 cost rounds")
    p.add_argument(
        "--database",
        choices=("auto", "sqlite", "postgresql"),
        default="auto",
        help="the bot's database under load; auto: SQLite, then PostgreSQL (production's) when one answers",
    )
    p.add_argument("--skip-load", action="store_true")
    p.add_argument("--skip-cost", action="store_true")
    p.add_argument("--skip-accuracy", action="store_true")
    p.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also print cProfile's top N functions of in-process event processing",
    )
    p.add_argument(
        "--sample",
        action="store_true",
        help="sample the bot workers' stacks during the load (perturbs the figures a little)",
    )
    p.add_argument("--keep", action="store_true", help="keep the temp dir (databases, gunicorn logs)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra setting for the bot's gunicorn (e.g. EVENT_WORKERS=8); repeatable",
    )
    p.add_argument("--out", type=Path, default=RESULTS, help=f"JSON report path ({RESULTS.relative_to(ROOT)})")
    args = p.parse_args(argv)
    if args.quick:
        args.messages, args.rounds, args.cost_rounds = min(args.messages, 200), 1, min(args.cost_rounds, 2)
    return args


# --- 1. webhook load -----------------------------------------------------------------------------------


PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "ita_bench"


def postgres_answers() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
    except OSError:
        return False
    return True


def _fresh_postgres_database() -> str:
    """Drop and create the bench's own database (never the tests' `test` database)."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_BENCH_DB}")
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_BENCH_DB


def prepare_database(path: Path, database: str = "sqlite") -> str:
    """A fresh database (a SQLite file, or PostgreSQL's ita_bench) with the schema and the demo data."""
    from app import create_app
    from models import db
    from models.ita_import import load_demo

    url = f"sqlite:///{path}" if database == "sqlite" else _fresh_postgres_database()
    app = create_app({"APP_ENV": "development", "SECRET_KEY": "bench-secret-key", "DATABASE_URL": url})
    with app.app_context():
        db.create_all()
        load_demo()
        db.session.remove()
        db.engine.dispose()
    return url


def server_env(settings: dict[str, str]) -> dict[str, str]:
    """This environment without any of the app's own settings, then exactly the bench's."""
    import settings as app_settings

    env = {k: v for k, v in os.environ.items() if k not in app_settings.DEFAULTS}
    env.update(settings)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def warm_up(name: str, server: Gunicorn, standin, secret: str, lost_after: float, plan: loadgen.Plan) -> None:
    """Messages first, not counted, so the rounds measure a warm bot with returning users.

    Phase 1: one greeting from each user of the plan, one at a time per user: it makes the user's
    conversation. Phase 2: three corpus questions per user, enough that each worker process has loaded
    pythainlp's dictionary and filled its caches.
    """
    users = plan.users
    greetings = loadgen.Plan(["สวัสดีครับ"], clients=len(users), messages=len(users), seed=1)
    questions = loadgen.Plan(sorted({q for _, q in plan.asks}), clients=len(users), messages=3 * len(users), seed=2)
    for phase, warm in enumerate((greetings, questions)):
        warm._next_id = 800_000_000 + (0 if name == "bot" else 100_000) + phase * 10_000
        items = warm.items(secret, users)
        result = loadgen.run(name, server.port, standin, items, len(users), send_window=30, lost_after=lost_after)
        figures = loadgen.summarize([result])
        if figures["lost"]:
            raise RuntimeError(
                f"{name}: warm-up lost {figures['lost']} of {figures['planned']} messages "
                f"(ack errors: {figures['ack_error_kinds']}, stand-in violations: {figures['standin_violations']}).\n"
                f"--- gunicorn log ---\n{server.log_tail()}"
            )


def bot_database_stats(url: str) -> dict:
    """What the bot recorded: event states, retries, delivery states (read straight from its database)."""
    from sqlalchemy import create_engine, text

    from settings import database_url

    engine = create_engine(database_url(url, "."))
    conn = engine.connect()
    try:
        q = lambda sql: [tuple(row) for row in conn.execute(text(sql)).fetchall()]  # noqa: E731
        return {
            "events_by_status": dict(q("SELECT status, count(*) FROM webhook_events GROUP BY status")),
            "events_retried": q("SELECT count(*) FROM webhook_events WHERE attempts > 1")[0][0],
            "event_errors": dict(
                q("SELECT last_error, count(*) FROM webhook_events WHERE last_error IS NOT NULL GROUP BY last_error")
            ),
            "replies_by_status": dict(
                q("SELECT status, count(*) FROM chat_messages WHERE direction = 'out' GROUP BY status")
            ),
            # Events finished by one commit share its processed_at (bot.line.claims.finish_all).
            "finish_commits": q("SELECT count(DISTINCT processed_at) FROM webhook_events WHERE status = 'done'")[0][0],
        }
    finally:
        conn.close()
        engine.dispose()


def load_section(args, tmp: Path, database: str = "sqlite") -> dict:
    from bench.inprocess import corpus_questions
    from tests.line_standin import LineStandIn

    secret = secrets.token_hex(16)
    access_token = "bench-" + secrets.token_hex(8)
    standins = {"baseline": LineStandIn(access_token).start(), "bot": LineStandIn(access_token).start()}
    servers: dict[str, Gunicorn] = {}
    db_path = tmp / "bench.db"
    try:
        database_url = prepare_database(db_path, database)
        common = {
            "APP_ENV": "development",
            "SECRET_KEY": "bench-" + secrets.token_hex(16),
            "LINE_CHANNEL_SECRET": secret,
            "LINE_CHANNEL_ACCESS_TOKEN": access_token,
        }
        extra = dict(item.split("=", 1) for item in args.set)
        targets = {
            "baseline": ("bench.baseline_app:create_app()", {**common, "LINE_API_BASE_URL": standins["baseline"].url}),
            "bot": (
                "app:create_app()",
                {**common, "LINE_API_BASE_URL": standins["bot"].url, "DATABASE_URL": database_url, **extra},
            ),
        }
        sample_dir = tmp / "samples"
        extra_args = {"baseline": [], "bot": []}
        if args.sample:
            sample_dir.mkdir()
            targets["bot"][1]["BENCH_SAMPLE_DIR"] = str(sample_dir)
            extra_args["bot"] = ["-c", "python:bench.sampler"]
        for name, (target, settings) in targets.items():
            print(f"  starting {name}: gunicorn -w 2 '{target}' ...", flush=True)
            servers[name] = Gunicorn(name, target, server_env(settings), tmp, extra_args=extra_args[name]).start()
        plan = loadgen.Plan(corpus_questions(), clients=args.clients, messages=args.messages)
        for name, server in servers.items():
            warm_up(name, server, standins[name], secret, args.lost_after, plan)
        deltas = []
        results: dict[str, list[loadgen.RunResult]] = {"baseline": [], "bot": []}
        for round_no in range(args.rounds):
            order = ("baseline", "bot") if round_no % 2 == 0 else ("bot", "baseline")
            for name in order:
                server = servers[name]
                items = plan.items(secret)
                sampling = args.sample and name == "bot"
                if sampling:
                    time.sleep(1.2)  # the workers write their counts every second
                    before = sampler.snapshot(str(sample_dir))
                cpu_before, own_before = server.cpu_seconds(), time.process_time()
                result = loadgen.run(
                    name, server.port, standins[name], items, args.clients, args.send_window, args.lost_after
                )
                result.cpu_seconds = server.cpu_seconds() - cpu_before
                if sampling:
                    time.sleep(1.2)
                    deltas.append((before, sampler.snapshot(str(sample_dir))))
                own = time.process_time() - own_before
                result.bench_cpu_seconds = own
                results[name].append(result)
                figures = loadgen.summarize([result])
                print(
                    f"  round {round_no + 1} {name:8}: {figures['answered']}/{figures['planned']} answered, "
                    f"{figures['answered_per_s']}/s, ack p99 {figures['ack_ms']['p99']} ms, "
                    f"reply p99 {figures['reply_ms']['p99']} ms, lost {figures['lost']}, "
                    f"server CPU {result.cpu_seconds:.1f}s, bench CPU {own:.1f}s",
                    flush=True,
                )
        summary = {name: loadgen.summarize(rs) for name, rs in results.items()}
        base, bot = summary["baseline"]["answered_per_s"], summary["bot"]["answered_per_s"]
        section = {
            "config": {
                "messages_per_round": args.messages,
                "clients": args.clients,
                "rounds": args.rounds,
                "gunicorn_workers": 2,
                "database": database,
                "lost_after_s": args.lost_after,
                "send_window_s": args.send_window,
                "bot_extra_settings": extra,
            },
            "baseline": summary["baseline"],
            "bot": summary["bot"],
            "throughput_ratio": round(bot / base, 3) if base else None,
            "bot_database": bot_database_stats(database_url),
        }
        if deltas:
            section["bot_samples"] = sampler.summary(deltas)
        problems = [line for line in _log_lines(servers["bot"]) if _is_problem(line)]
        section["bot_log_problems"] = problems[-20:]
        return section
    finally:
        for server in servers.values():
            server.stop()
        for standin in standins.values():
            standin.stop()


def _log_lines(server: Gunicorn) -> list[str]:
    try:
        return server.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _is_problem(line: str) -> bool:
    lowered = line.lower()
    return any(word in lowered for word in ("error", "traceback", "timeout", "exception", "not processed", "failed"))


# --- main ----------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.chdir(ROOT)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the stand-ins' access log
    started = time.monotonic()
    report: dict = {
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpus": os.cpu_count(),
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
        },
    }
    crashed: str | None = None
    print(f"bench: {os.cpu_count()} CPUs, load average {report['machine']['loadavg_at_start']}", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="ita-bench-"))
    try:
        if not args.skip_load:
            databases = ["sqlite", "postgresql"] if args.database == "auto" else [args.database]
            if args.database == "auto" and not postgres_answers():
                databases = ["sqlite"]
                print("\nPostgreSQL does not answer on 127.0.0.1:5432: the load runs on SQLite only.")
            report["load"] = {}
            for database in databases:
                print(f"\n1. Webhook load (bot vs bare baseline), bot on {database}", flush=True)
                report["load"][database] = load_section(args, tmp, database)
                print_load(report["load"][database])
        if not args.skip_cost:
            from bench import inprocess
            from tests.corpus.run import demo_app
            from tests.line_standin import LineStandIn

            report["understanding"] = inprocess.understanding_cost(demo_app(str(tmp)), args.cost_rounds)
            print_cost(report["understanding"])
            standin = LineStandIn().start()
            try:
                report["pipeline"] = inprocess.pipeline_breakdown(
                    str(tmp), standin, secrets.token_hex(16), profile=args.profile
                )
            finally:
                standin.stop()
            print_pipeline(report["pipeline"])
        if not args.skip_accuracy:
            from bench import inprocess

            acc_dir = tmp / "accuracy"
            acc_dir.mkdir()
            report["accuracy"] = inprocess.accuracy(str(acc_dir))
            print_accuracy(report["accuracy"])
    except ServerFailed as exc:
        crashed = str(exc)
    except Exception:  # noqa: BLE001 - reported, then exit 1
        crashed = traceback.format_exc()
    finally:
        if args.keep:
            print(f"\nKept {tmp} (databases, gunicorn logs).")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    report["goals"] = goals = goals_of(report)
    report["throughput_estimates"] = estimates = throughput_estimates(report)
    lost = sum(
        load.get(name, {}).get("lost", 0) for load in report.get("load", {}).values() for name in ("baseline", "bot")
    )
    report["lost"] = lost
    report["crashed"] = crashed
    report["duration_s"] = round(time.monotonic() - started, 1)
    if goals:
        print_goals(goals)
    print_estimates(estimates)
    if crashed:
        print(f"\nCRASHED:\n{crashed}", file=sys.stderr)
    if lost:
        print(f"\nLOST MESSAGES: {lost} (see section 1)", file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nReport written to {_shown(args.out)} in {report['duration_s']:.0f}s.")
    return 1 if crashed or lost else 0


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
