"""Concurrent signed webhook traffic against one target, and what the LINE stand-in got back for it."""

from __future__ import annotations

import http.client
import math
import random
import threading
import time
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field

from tests import events as ev
from tests.line_standin import LineStandIn


@dataclass
class Item:
    """One webhook delivery: a body with one text event, its signature, and the reply token it carries."""

    id: int
    client: int
    user: str
    text: str
    body: bytes
    signature: str
    token: str


@dataclass
class Outcome:
    item: Item
    sent_at: float | None = None  # time.monotonic(), same clock as the stand-in's Sent.at
    acked_at: float | None = None
    status: int | None = None
    error: str | None = None
    answered_at: float | None = None
    answered_by: str | None = None  # reply | push

    @property
    def acked(self) -> bool:
        return self.status == 200


class Plan:
    """Who asks what: client k is one LINE user; the same questions in the same order for every target."""

    def __init__(self, questions: list[str], clients: int, messages: int, seed: int = 7):
        rng = random.Random(seed)
        self.clients = clients
        self.users = ["U" + uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(clients)]
        self.asks = [(i % clients, rng.choice(questions)) for i in range(messages)]
        self._next_id = 0

    def items(self, secret: str, users: list[str] | None = None) -> list[Item]:
        """Fresh bodies (new event ids and reply tokens) for one run; same users and texts each time."""
        users = users or self.users
        items = []
        for client, text in self.asks:
            self._next_id += 1
            items.append(make_item(self._next_id, client, users[client], text, secret))
        return items


def make_item(item_id: int, client: int, user: str, text: str, secret: str) -> Item:
    event = ev.text(user, text)
    # '<chat id>:<n>': the stand-in reads the chat from it, the bench reads which delivery it answers.
    event["replyToken"] = token = f"{user}:{item_id}"
    event["webhookEventId"] = f"BENCH{item_id:08d}{uuid.uuid4().hex[:13].upper()}"
    body = ev.body(event)
    return Item(item_id, client, user, text, body, ev.sign(body, secret), token)


def post(port: int, item: Item, timeout: float) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(
            "POST",
            "/callback",
            body=item.body,
            headers={"Content-Type": "application/json; charset=utf-8", "X-Line-Signature": item.signature},
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@dataclass
class RunResult:
    target: str
    outcomes: list[Outcome]
    started: float
    sending_ended: float
    waited_until: float
    lost_after: float
    cpu_seconds: float | None = None
    bench_cpu_seconds: float | None = None  # this process's own: the clients and the LINE stand-in
    standin_violations: list[str] = field(default_factory=list)
    unmatched_sent: int = 0


def run(
    target: str,
    port: int,
    standin: LineStandIn,
    items: list[Item],
    clients: int,
    send_window: float,
    lost_after: float,
    http_timeout: float = 30.0,
) -> RunResult:
    """`clients` threads post their items back to back (each waits for its ack), then wait for the replies.

    A client stops early when `send_window` seconds have passed (its remaining items are not sent).
    Replies are waited for until every acked item has one, or `lost_after` seconds after the last send.
    """
    standin.reset()
    outcomes = [Outcome(item) for item in items]
    by_client: dict[int, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_client[outcome.item.client % clients].append(outcome)
    start = time.monotonic()
    stop_sending = start + send_window

    def client(mine: list[Outcome]) -> None:
        for outcome in mine:
            if time.monotonic() >= stop_sending:
                return
            outcome.sent_at = time.monotonic()
            try:
                outcome.status = post(port, outcome.item, http_timeout)
            except Exception as exc:  # noqa: BLE001 - any failure is a figure in the report
                outcome.error = type(exc).__name__
            outcome.acked_at = time.monotonic()

    threads = [threading.Thread(target=client, args=(mine,), daemon=True) for mine in by_client.values()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(send_window + http_timeout + 5)
    sending_ended = time.monotonic()

    acked = [o for o in outcomes if o.acked]
    sends = [o.sent_at for o in outcomes if o.sent_at is not None]
    deadline = (max(sends) if sends else start) + lost_after
    while True:
        unmatched = _match(outcomes, standin)
        if all(o.answered_at is not None for o in acked) or time.monotonic() >= deadline:
            break
        standin.wait_for(len(standin.sent) + 1, timeout=0.2)  # wake on the next recorded message, or poll
    waited_until = time.monotonic()
    return RunResult(
        target,
        outcomes,
        start,
        sending_ended,
        waited_until,
        lost_after,
        standin_violations=list(standin.violations),
        unmatched_sent=unmatched,
    )


def _match(outcomes: list[Outcome], standin: LineStandIn) -> int:
    """Set answered_at from what the stand-in recorded: by reply token, else a push to the user.

    A push carries no token, so it is given to that user's oldest unanswered delivery (the bot answers
    one chat in order). Returns how many recorded messages matched no delivery.
    """
    by_token = {o.item.token: o for o in outcomes}
    sent = list(standin.sent)  # a copy: the stand-in keeps appending
    for o in outcomes:
        o.answered_at = o.answered_by = None
    pushes = []
    unmatched = 0
    for s in sent:
        if s.kind == "reply" and s.reply_token in by_token:
            o = by_token[s.reply_token]
            if o.answered_at is None or s.at < o.answered_at:
                o.answered_at, o.answered_by = s.at, "reply"
        elif s.kind == "push":
            pushes.append(s)
        else:
            unmatched += 1
    waiting: dict[str, deque] = defaultdict(deque)
    for o in sorted(outcomes, key=lambda o: o.sent_at or math.inf):
        if o.acked and o.answered_at is None:
            waiting[o.item.user].append(o)
    for s in sorted(pushes, key=lambda s: s.at):
        queue = waiting.get(s.to)
        if queue:
            o = queue.popleft()
            o.answered_at, o.answered_by = s.at, "push"
        else:
            unmatched += 1
    return unmatched


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def out_of_order(outcomes: list[Outcome]) -> int:
    """Deliveries answered before an earlier delivery of the same user (a citizen would read the
    answers in another order than they asked)."""
    count = 0
    latest: dict[str, float] = {}
    answered = [o for o in outcomes if o.sent_at is not None and o.answered_at is not None]
    for o in sorted(answered, key=lambda o: o.sent_at):
        if o.answered_at < latest.get(o.item.user, -math.inf):
            count += 1
        latest[o.item.user] = max(o.answered_at, latest.get(o.item.user, -math.inf))
    return count


def summarize(results: list[RunResult]) -> dict:
    """Figures for one target over its rounds: latencies pooled, throughput as total answered / total time."""
    acks, replies = [], []
    planned = sent = acked = answered = late = unanswered = ack_errors = pushes = 0
    wall = 0.0
    cpu = bench_cpu = 0.0
    errors: dict[str, int] = defaultdict(int)
    rounds = []
    for result in results:
        r_answered = 0
        first_send, last_answer = math.inf, -math.inf
        for o in result.outcomes:
            planned += 1
            if o.sent_at is None:
                continue
            sent += 1
            first_send = min(first_send, o.sent_at)
            if not o.acked:
                ack_errors += 1
                errors[o.error or f"HTTP {o.status}"] += 1
                continue
            acked += 1
            acks.append(o.acked_at - o.sent_at)
            if o.answered_at is None:
                unanswered += 1
                continue
            latency = o.answered_at - o.sent_at
            if latency > result.lost_after:
                late += 1
                continue
            replies.append(latency)
            r_answered += 1
            pushes += o.answered_by == "push"
            last_answer = max(last_answer, o.answered_at)
        r_wall = last_answer - first_send if r_answered else 0.0
        answered += r_answered
        wall += r_wall
        cpu += result.cpu_seconds or 0.0
        bench_cpu += result.bench_cpu_seconds or 0.0
        rounds.append(
            {
                "answered": r_answered,
                "wall_s": round(r_wall, 3),
                "answered_per_s": round(r_answered / r_wall, 1) if r_wall > 0 else None,
                "cpu_s": round(result.cpu_seconds, 2) if result.cpu_seconds is not None else None,
            }
        )
    ms = lambda v: round(v * 1000, 1) if v is not None else None  # noqa: E731
    return {
        "planned": planned,
        "sent": sent,
        "acked": acked,
        "ack_errors": ack_errors,
        "ack_error_kinds": dict(errors),
        "answered": answered,
        "answered_by_push": pushes,
        "out_of_order": sum(out_of_order(r.outcomes) for r in results),
        "lost": ack_errors + unanswered + late,
        "lost_unanswered": unanswered,
        "lost_late": late,
        "ack_ms": {
            "p50": ms(percentile(acks, 50)),
            "p99": ms(percentile(acks, 99)),
            "max": ms(max(acks, default=None)),
        },
        "reply_ms": {
            "p50": ms(percentile(replies, 50)),
            "p99": ms(percentile(replies, 99)),
            "max": ms(max(replies, default=None)),
        },
        "answered_per_s": round(answered / wall, 1) if wall > 0 else 0.0,
        "cpu_ms_per_answer": round(cpu / answered * 1000, 2) if answered and cpu else None,
        "bench_cpu_ms_per_answer": round(bench_cpu / answered * 1000, 2) if answered and bench_cpu else None,
        "rounds": rounds,
        "standin_violations": sorted({v for r in results for v in r.standin_violations})[:10],
        "standin_unmatched": sum(r.unmatched_sent for r in results),
    }
