"""The bench's goals (the issue's "done when") and an estimate of where the throughput ratio can go."""

from __future__ import annotations

import os

from bench.report import verdict

GOAL_THROUGHPUT_RATIO = 0.7  # bot answered/s over baseline answered/s, at least
GOAL_ACK_P99_MS = 250.0  # the bot's webhook ack p99, below


def goals_of(report: dict) -> list[dict]:
    """Each goal per database the load ran on, with its value and PASS/FAIL."""
    goals = []
    for database, load in report.get("load", {}).items():
        ratio, p99 = load["throughput_ratio"], load["bot"]["ack_ms"]["p99"]
        goals.append(
            {
                "name": f"answered/s bot/baseline ({database})",
                "value": ratio,
                "goal": f">= {GOAL_THROUGHPUT_RATIO}",
                "verdict": verdict(ratio is not None and ratio >= GOAL_THROUGHPUT_RATIO),
            }
        )
        goals.append(
            {
                "name": f"bot ack p99 ms ({database})",
                "value": p99,
                "goal": f"< {GOAL_ACK_P99_MS:.0f}",
                "verdict": verdict(p99 is not None and p99 < GOAL_ACK_P99_MS),
            }
        )
    return goals


def throughput_estimates(report: dict) -> dict:
    """Every core busy with nothing but the bot's work per event and the load generator's share
    (PostgreSQL's own work left out, no time lost to contention): about what the bot could answer per
    second on this machine, as a share of the baseline's rate, storing nothing and storing as it does
    now. An estimate: section 2 runs at another moment than the load, and batches make events cheaper."""
    cpu = (report.get("pipeline") or {}).get("cpu", {})
    estimates = {}
    for database, load in report.get("load", {}).items():
        bench_cpu, base_rate = load["bot"].get("bench_cpu_ms_per_answer"), load["baseline"]["answered_per_s"]
        if cpu and bench_cpu and base_rate:
            cores = os.cpu_count() or 1
            estimates[database] = {
                "storage_free": round(cores * 1000 / (cpu["floor_ms"] + bench_cpu) / base_rate, 2),
                "as_stored_now": round(cores * 1000 / (cpu["ack_ms"] + cpu["answer_ms"] + bench_cpu) / base_rate, 2),
            }
    return estimates


def print_estimates(estimates: dict) -> None:
    for database, share in estimates.items():
        print(
            f"   note  {database}: estimate, if all {os.cpu_count()} cores did nothing but the bot's work per event "
            "and the load generator's share, losing nothing to contention or to PostgreSQL: the bot would answer "
            f"about {share['as_stored_now']:.2f} of the baseline's rate storing as it does (one event at a time), "
            f"{share['storage_free']:.2f} storing nothing (section 2's CPU, measured at another moment than the "
            "load: on a shared machine the two can differ by half)"
        )
