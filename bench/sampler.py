"""A wall-clock stack sampler for gunicorn workers: `gunicorn -c python:bench.sampler ...` (bench --sample).

Every few milliseconds each worker records, for each of its threads, the innermost Python frame and the
innermost frame in the project's own code. A thread blocked in C (an SQLite lock wait, a socket read)
is seen at the Python call that is waiting, so the shares are of wall time, not only CPU.
Counts are written as JSON to $BENCH_SAMPLE_DIR/<pid>.json every second and when the worker exits.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
VENV = os.path.join(ROOT, ".venv")
INTERVAL = 0.005
# Where a thread waits for work: not counted as busy.
IDLE = {
    ("bot/line/dispatcher.py:_work", "threading.py:wait"),  # an event worker waiting on its queue
    ("-", "gunicorn/workers/sync.py:wait"),  # the sync worker waiting for a connection
    ("bot/line/dispatcher.py:_sweep", "threading.py:wait"),  # the sweeper between sweeps
}
_sampler = None


def _where(filename: str) -> str:
    if filename.startswith(ROOT + os.sep) and not filename.startswith(VENV):
        return os.path.relpath(filename, ROOT)
    marker = "site-packages" + os.sep
    if marker in filename:
        return filename.split(marker, 1)[1]
    return os.path.basename(filename)


def _group(name: str) -> str:
    if name == "MainThread":
        return "request thread (sync worker)"
    if name == "line-events-sweeper":
        return "sweeper"
    if name.startswith("line-events-"):
        return "event workers"
    return "other"


class Sampler(threading.Thread):
    def __init__(self, out_dir: str):
        super().__init__(name="bench-sampler", daemon=True)
        self.path = Path(out_dir) / f"{os.getpid()}.json"
        self.counts: Counter = Counter()
        self.totals: Counter = Counter()
        self._last_dump = time.monotonic()

    def run(self) -> None:
        me = threading.get_ident()
        while True:
            time.sleep(INTERVAL)
            names = {t.ident: t.name for t in threading.enumerate()}
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                group = _group(names.get(ident, "?"))
                leaf = f"{_where(frame.f_code.co_filename)}:{frame.f_code.co_name}"
                app = None
                f = frame
                while f is not None:
                    filename = f.f_code.co_filename
                    if (
                        filename.startswith(ROOT + os.sep)
                        and not filename.startswith(VENV)
                        and "/bench/" not in filename
                    ):
                        app = f"{_where(filename)}:{f.f_code.co_name}"
                        break
                    f = f.f_back
                self.counts[(group, app or "-", leaf)] += 1
                self.totals[group] += 1
            if time.monotonic() - self._last_dump > 1.0:
                self.dump()

    def dump(self) -> None:
        rows = [[g, a, leaf, n] for (g, a, leaf), n in self.counts.items()]
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"totals": dict(self.totals), "rows": rows}))
        tmp.replace(self.path)
        self._last_dump = time.monotonic()


def post_fork(server, worker):  # gunicorn hook, in the worker
    global _sampler
    out = os.environ.get("BENCH_SAMPLE_DIR")
    if out:
        _sampler = Sampler(out)
        _sampler.start()


def worker_exit(server, worker):  # gunicorn hook, in the worker
    if _sampler is not None:
        _sampler.dump()


def snapshot(out_dir: str) -> tuple[Counter, Counter]:
    """The counts the workers have written so far (they rewrite their files every second)."""
    totals: Counter = Counter()
    rows: Counter = Counter()
    for path in Path(out_dir).glob("*.json"):
        data = json.loads(path.read_text())
        totals.update(data["totals"])
        for group, app, leaf, n in data["rows"]:
            rows[(group, app, leaf)] += n
    return totals, rows


def summary(deltas: list[tuple[tuple[Counter, Counter], tuple[Counter, Counter]]], top: int = 12) -> dict:
    """Shares of samples per thread group between (before, after) snapshots: where the threads were,
    as (innermost project function, innermost Python frame)."""
    totals: Counter = Counter()
    rows: Counter = Counter()
    for (t0, r0), (t1, r1) in deltas:
        totals.update(t1 - t0)
        rows.update(r1 - r0)
    result = {}
    for group, total in totals.most_common():
        mine = [(app, leaf, n) for (g, app, leaf), n in rows.items() if g == group and (app, leaf) not in IDLE]
        busy = sum(n for _, _, n in mine)
        mine.sort(key=lambda r: -r[2])
        result[group] = {
            "samples": total,
            "busy_share": round(busy / total, 3) if total else 0.0,
            "top_busy": [
                {"app": app, "leaf": leaf, "share_of_busy": round(n / busy, 3)} for app, leaf, n in mine[:top]
            ],
        }
    return result
