"""Printing the benchmark's report: one function per section, figures as ratios to the baseline."""

from __future__ import annotations


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_load(section: dict) -> None:
    cfg = section["config"]
    print(
        f"\n1. Webhook under load: {cfg['clients']} clients, {cfg['messages_per_round']} messages x "
        f"{cfg['rounds']} round(s) per target, gunicorn -w {cfg['gunicorn_workers']} (sync), same run, "
        f"bot on {cfg['database']}"
    )
    header = f"   {'':22}{'baseline':>12}{'bot':>12}{'bot/base':>10}"
    print(header)
    rows = [
        ("answered / s", lambda f: f["answered_per_s"]),
        ("ack p50 ms", lambda f: f["ack_ms"]["p50"]),
        ("ack p99 ms", lambda f: f["ack_ms"]["p99"]),
        ("webhook->reply p50 ms", lambda f: f["reply_ms"]["p50"]),
        ("webhook->reply p99 ms", lambda f: f["reply_ms"]["p99"]),
        ("webhook->reply max ms", lambda f: f["reply_ms"]["max"]),
        ("server CPU ms/answer", lambda f: f["cpu_ms_per_answer"]),
        ("answered", lambda f: f["answered"]),
        ("  of which by push", lambda f: f["answered_by_push"]),
        ("  out of order", lambda f: f.get("out_of_order")),
        ("lost", lambda f: f["lost"]),
    ]
    for label, get in rows:
        b, o = get(section["baseline"]), get(section["bot"])
        ratio = f"{o / b:.2f}" if isinstance(b, int | float) and isinstance(o, int | float) and b else ""
        print(f"   {label:22}{_fmt(b):>12}{_fmt(o):>12}{ratio:>10}")
    for name in ("baseline", "bot"):
        f = section[name]
        if f["lost"]:
            print(
                f"   {name}: lost {f['lost']} = {f['ack_errors']} ack errors {f['ack_error_kinds']}, "
                f"{f['lost_unanswered']} never answered, {f['lost_late']} answered after {cfg['lost_after_s']:.0f}s"
            )
        if f["standin_violations"]:
            print(f"   {name}: LINE limits broken: {f['standin_violations']}")
    db = section["bot_database"]
    print(
        f"   bot database: events {db['events_by_status']}, retried {db['events_retried']}, "
        f"errors {db['event_errors'] or 'none'}, replies {db['replies_by_status']}"
    )
    done, commits = db["events_by_status"].get("done", 0), db.get("finish_commits") or 0
    if commits:
        print(f"   bot answered {done} events in {commits} outcome commits: {done / commits:.1f} per batch on average")
    for group, data in (section.get("bot_samples") or {}).items():
        if group in {"other", "sweeper"}:
            continue
        print(
            f"   bot {group}: busy {data['busy_share']:.0%} of wall time; of that busy time "
            f"(innermost project function | innermost Python frame):"
        )
        for row in data["top_busy"][:8]:
            print(f"     {row['share_of_busy']:6.1%}  {row['app']}  |  {row['leaf']}")
    if section["bot_log_problems"]:
        print("   bot gunicorn log (problems, last lines):")
        for line in section["bot_log_problems"][-8:]:
            print(f"     {line}")


def print_cost(cost: dict) -> None:
    r, t = cost["respond"], cost["word_tokenize"]
    print(f"\n2. Understanding cost, in-process: {cost['messages']} dev-corpus messages x {cost['rounds']} rounds")
    print(f"   engine.respond        median {r['median_ms']:.3f} ms   p99 {r['p99_ms']:.3f} ms")
    print(f"   word_tokenize only    median {t['median_ms']:.3f} ms   p99 {t['p99_ms']:.3f} ms")
    print(f"   ratio respond/tokenize: median {cost['ratio_median']}x, p99 {cost['ratio_p99']}x")


def print_pipeline(pipe: dict) -> None:
    print(f"\n   One event end to end, in-process, one thread ({pipe['messages']} messages, no contention):")
    print(f"   POST /callback (ack)  median {pipe['ack']['median_ms']:.2f} ms   p99 {pipe['ack']['p99_ms']:.2f} ms")
    p = pipe["process_events"]
    print(
        f"   process_events, one  median {p['median_ms']:.2f} ms   p99 {p['p99_ms']:.2f} ms   mean {p['mean_ms']:.2f} ms"
    )
    for label, part in sorted(pipe["parts"].items(), key=lambda kv: -kv[1]["share"]):
        cpu = f"  (CPU {part['cpu_mean_ms']:.2f} ms)" if "cpu_mean_ms" in part else ""
        print(f"     {label:38} mean {part['mean_ms']:7.2f} ms  {part['share']:6.1%}{cpu}")
    cpu = pipe["cpu"]
    print(
        f"   CPU of the thread per event: ack {cpu['ack_ms']:.2f} ms + answer {cpu['answer_ms']:.2f} ms; "
        f"of that, work that does not depend on storing anything (ack, event model, understanding, "
        f"rendering, the SDK's call): {cpu['floor_ms']:.2f} ms"
    )
    if pipe.get("profile"):
        print(pipe["profile"])


def print_accuracy(acc: dict) -> None:
    print("\n3. Accuracy on the labelled corpus (tests/corpus/run.py evaluate)")
    for name, f in acc.items():
        print(f"   {name:18} {f['right']:4}/{f['total']:<4} = {f['accuracy']:.1%}")


def print_goals(goals: list[dict]) -> None:
    print("\nGoals")
    for g in goals:
        print(f"   {g['verdict']}  {g['name']}: {_fmt(g['value'])} (goal {g['goal']})")


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)
