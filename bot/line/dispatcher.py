"""Worker threads that answer recorded webhook events after the ack, one chat in order."""

from __future__ import annotations

import logging
import queue
import threading
import time
import zlib

from flask import Flask

log = logging.getLogger(__name__)


class EventDispatcher:
    """Per-process pool: events of one chat always go to the same thread, so they stay in order.

    Nothing starts until the first event is submitted or `start()` is called, so creating the
    app has no side effects. A sweeper thread picks up events left behind by a crashed process.
    """

    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.Lock()
        self._queues: list[queue.Queue] | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    def start(self) -> None:
        if self._queues is not None:
            return
        with self._lock:
            if self._queues is not None:
                return
            count = max(1, int(self.app.config["EVENT_WORKERS"]))
            queues = [queue.Queue() for _ in range(count)]
            for index, q in enumerate(queues):
                self._spawn(self._work, q, name=f"line-events-{index}")
            self._spawn(self._sweep, name="line-events-sweeper")
            self._queues = queues

    def _spawn(self, target, *args, name: str) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def submit(self, event_pk: int, chat: str) -> None:
        self.start()
        assert self._queues is not None
        self._queues[zlib.crc32(chat.encode()) % len(self._queues)].put(event_pk)

    def drain(self, timeout: float = 15.0) -> bool:
        """Wait until every submitted event is answered (tests and shutdown)."""
        deadline = time.monotonic() + timeout
        for q in self._queues or []:
            while q.unfinished_tasks and time.monotonic() < deadline:
                time.sleep(0.005)
        return all(not q.unfinished_tasks for q in self._queues or [])

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        for q in self._queues or []:
            q.put(None)
        for thread in self._threads:
            thread.join(timeout)

    def _work(self, q: queue.Queue) -> None:
        from bot.line.processing import process_events
        from bot.nlu import warm_up

        warm_up()  # once per process, under a lock: no two threads load pythainlp's dictionary at once
        most = max(1, int(self.app.config["EVENT_BATCH"]))
        while True:
            batch = self._take(q, most)
            pks = [pk for pk in batch if pk is not None]
            try:
                if pks:
                    process_events(self.app, pks)
            except Exception as exc:  # noqa: BLE001 - a worker must survive any one batch
                log.error("events %s not processed: %s", pks, type(exc).__name__)
            finally:
                for _ in batch:
                    q.task_done()
            if None in batch:
                return

    @staticmethod
    def _take(q: queue.Queue, most: int) -> list:
        """The next event, waiting for it, and those queued behind it, up to `most`: under load the
        events waiting for one thread are answered together, at no cost in delay when it is quiet."""
        batch = [q.get()]
        while len(batch) < most and batch[-1] is not None:
            try:
                batch.append(q.get_nowait())
            except queue.Empty:
                break
        return batch

    def _sweep(self) -> None:
        from bot.line.recovery import due_events, housekeeping

        interval = float(self.app.config["EVENT_SWEEP_SECONDS"])
        while True:
            try:
                for pk, chat in due_events(self.app):
                    self.submit(pk, chat)
                housekeeping(self.app)
            except Exception as exc:  # noqa: BLE001 - the database may be away for a while
                log.warning("sweep failed: %s", type(exc).__name__)
            if self._stopping.wait(interval):
                return
