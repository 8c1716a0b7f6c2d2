"""Gunicorn subprocesses for the bench: start in their own process group, wait for /healthz, kill."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
_CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class ServerFailed(RuntimeError):
    """A gunicorn target did not come up; the message carries its stderr."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_command() -> list[str]:
    """The venv's gunicorn script next to this interpreter, else `python -m gunicorn`."""
    script = Path(sys.executable).parent / "gunicorn"
    return [str(script)] if script.exists() else [sys.executable, "-m", "gunicorn"]


class Gunicorn:
    """`gunicorn -w 2 -b 127.0.0.1:PORT TARGET`, stderr captured to a file in `log_dir`."""

    def __init__(
        self,
        name: str,
        target: str,
        env: dict[str, str],
        log_dir: Path,
        workers: int = WORKERS,
        extra_args: list[str] | None = None,
    ):
        self.name = name
        self.extra_args = list(extra_args or [])
        self.target = target
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.log_path = Path(log_dir) / f"{name}-gunicorn.log"
        self.proc: subprocess.Popen | None = None

    def command(self) -> list[str]:
        return [
            *gunicorn_command(),
            "-w",
            str(self.workers),
            "-b",
            f"127.0.0.1:{self.port}",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
            *self.extra_args,
            self.target,
        ]

    def start(self, timeout: float = 60.0) -> Gunicorn:
        log = open(self.log_path, "wb")  # noqa: SIM115 - the child keeps it; closed in stop()
        self._log = log
        self.proc = subprocess.Popen(
            self.command(), cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self._wait_healthy(timeout)
        return self

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.stop()
                raise ServerFailed(
                    f"{self.name}: gunicorn exited with code {self.proc.returncode} before /healthz answered.\n"
                    f"command: {' '.join(self.command())}\n--- gunicorn stderr ---\n{self.log_tail()}"
                )
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                status = conn.getresponse().status
                conn.close()
                if status == 200 and len(self.worker_pids()) >= self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise ServerFailed(
            f"{self.name}: /healthz did not answer 200 within {timeout:.0f}s.\n"
            f"command: {' '.join(self.command())}\n--- gunicorn stderr ---\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 60) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:]) or "(empty)"

    def worker_pids(self) -> list[int]:
        """The master's children (the workers), read from /proc."""
        if self.proc is None:
            return []
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[1]) == self.proc.pid:
                children.append(int(entry.name))
        return children

    def cpu_seconds(self) -> float:
        """User+system CPU of master and workers so far (workers' threads included)."""
        total = 0
        for pid in [self.proc.pid, *self.worker_pids()] if self.proc else []:
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])
        return total / _CLK_TCK

    def stop(self) -> None:
        """SIGTERM the whole process group, SIGKILL what is left after a few seconds."""
        if self.proc is None:
            return
        # The group was made by start_new_session, so its id is the master's pid.
        pgid = self.proc.pid
        workers = self.worker_pids()
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=8)
        # SIGKILL the group only while it still exists: the master unreaped, or a worker of ours left in it.
        alive = self.proc.poll() is None or any(_in_group(pid, pgid) for pid in workers)
        if alive:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        log = getattr(self, "_log", None)
        if log is not None:
            log.close()


def _in_group(pid: int, pgid: int) -> bool:
    try:
        return os.getpgid(pid) == pgid
    except ProcessLookupError:
        return False
