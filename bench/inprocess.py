"""In-process figures: what understanding one message costs, where an answered event's time goes, accuracy."""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from contextlib import contextmanager

from tests.corpus.evaluate import dialogues, load, score
from tests.corpus.run import demo_app, evaluate

ACCURACY_FILES = ("questions.yaml", "questions-b.yaml", "heldout.yaml")
DEV_CORPUS = "questions.yaml"


def corpus_dialogues(name: str = DEV_CORPUS) -> list[list[str]]:
    return [[turn["q"] for turn in dialogue] for dialogue in dialogues(load(name))]


# Asking for a person, or two messages in a row the bot does not understand, hands the chat to staff,
# and the bot then stays quiet: the load is made of the questions the bot itself answers.
HANDED_TO_STAFF = {"contact_staff", "out_of_scope"}


def corpus_questions(name: str = DEV_CORPUS) -> list[str]:
    """The load's messages: the corpus's questions, without those that hand the chat to staff."""
    return [t["q"] for dialogue in dialogues(load(name)) for t in dialogue if t["intent"] not in HANDED_TO_STAFF]


def _stats(seconds: list[float]) -> dict:
    from bench.load import percentile

    ordered = sorted(seconds)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(percentile(ordered, 99) * 1000, 3),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 3),
    }


def understanding_cost(app, rounds: int) -> dict:
    """`engine.respond` per message over the dev corpus (its dialogues in order, a fresh conversation each),
    against the same loop doing only `word_tokenize`; rounds interleaved so both see the same noise."""
    from pythainlp.tokenize import word_tokenize

    from bot import engine
    from models import Conversation, db

    convs = corpus_dialogues()
    questions = [q for dialogue in convs for q in dialogue]
    respond_times: list[float] = []
    tokenize_times: list[float] = []
    clock = time.perf_counter
    with app.app_context():
        for round_no in range(rounds + 1):  # round 0 warms up (dictionary, agency index, caches); not counted
            for number, dialogue in enumerate(convs):
                conversation = Conversation(channel="web", chat_id=f"bench:{round_no}:{number}", context={})
                db.session.add(conversation)
                for question in dialogue:
                    start = clock()
                    engine.respond(conversation, question)
                    if round_no:
                        respond_times.append(clock() - start)
                db.session.rollback()
            for question in questions:
                start = clock()
                word_tokenize(question)
                if round_no:
                    tokenize_times.append(clock() - start)
    bot, base = _stats(respond_times), _stats(tokenize_times)
    return {
        "corpus": DEV_CORPUS,
        "messages": len(questions),
        "rounds": rounds,
        "respond": bot,
        "word_tokenize": base,
        "ratio_median": round(bot["median_ms"] / base["median_ms"], 1),
        "ratio_p99": round(bot["p99_ms"] / base["p99_ms"], 1),
    }


class _Recorder:
    """Stands in for the EventDispatcher: keeps the submitted event ids so the bench answers them itself."""

    def __init__(self):
        self.submitted: list[int] = []

    def submit(self, pk: int, chat: str) -> None:
        self.submitted.append(pk)

    def start(self) -> None:
        pass

    def stop(self, timeout: float = 0) -> None:
        pass

    def drain(self, timeout: float = 0) -> bool:
        return True


class _Timers:
    """Wall and CPU time (of the calling thread) spent inside chosen functions, per event, by wrapping
    them for the measurement only."""

    def __init__(self):
        self.current: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)

    @contextmanager
    def wrapped(self, targets: dict[str, tuple[object, str]]):
        originals = {}
        for label, (owner, attr) in targets.items():
            original = getattr(owner, attr)
            originals[label] = (owner, attr, original)
            setattr(owner, attr, self._timed(label, original))
        try:
            yield self
        finally:
            for owner, attr, original in originals.values():
                setattr(owner, attr, original)

    def _timed(self, label: str, fn):
        def timed(*args, **kwargs):
            start, cpu = time.perf_counter(), time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.current[label] += time.perf_counter() - start
                self.cpu[label] += time.thread_time() - cpu

        return timed

    def take(self) -> tuple[dict[str, float], dict[str, float]]:
        taken = dict(self.current), dict(self.cpu)
        self.current, self.cpu = defaultdict(float), defaultdict(float)
        return taken


def pipeline_breakdown(tmp: str, standin, secret: str, messages: int = 260, profile: int = 0) -> dict:
    """One thread, no contention: POST /callback through Flask's test client, then `process_events` for
    it alone (what an answering thread does with one queued event).

    The parts of `process_events` are timed by wrapping the functions it calls (in this process only):
    understanding and answering (`engine.respond`), the SDK's event model (`events.parse`), rendering the
    LINE messages, and the HTTP call to the stand-in; the rest is the database work (claim, context, commits)
    and the framework around it.
    """
    import cProfile
    import io
    import pstats

    from app import create_app
    from bench.load import make_item
    from bot import engine
    from bot.line import client as line_client_module
    from bot.line import events as line_events
    from bot.line import processing
    from models import db
    from models.ita_import import load_demo

    app = create_app(
        {
            "APP_ENV": "development",
            "SECRET_KEY": "bench-secret-key",
            "DATABASE_URL": f"sqlite:///{tmp}/pipeline.db",
            "LINE_CHANNEL_SECRET": secret,
            "LINE_CHANNEL_ACCESS_TOKEN": standin.access_token,
            "LINE_API_BASE_URL": standin.url,
        }
    )
    with app.app_context():
        db.create_all()
        load_demo()
    recorder = _Recorder()
    app.extensions["event_dispatcher"] = recorder
    client = app.test_client()
    questions = corpus_questions()
    users = [f"U{n:032x}" for n in range(16)]
    targets = {
        "understand+answer (engine.respond)": (engine, "respond"),
        "SDK event model (events.parse)": (line_events, "parse"),
        "render LINE messages": (processing, "render"),
        "LINE HTTP call (SDK + stand-in)": (line_client_module.LineClient, "_call"),
    }
    acks, totals, ack_cpu, answer_cpu = [], [], [], []
    parts: dict[str, list[float]] = defaultdict(list)
    parts_cpu: dict[str, list[float]] = defaultdict(list)
    profiler = cProfile.Profile() if profile else None
    timers = _Timers()
    with timers.wrapped(targets):
        for n in range(messages + 8):  # the first 8 warm up; not counted
            item = make_item(
                900_000_000 + n, n % len(users), users[n % len(users)], questions[n % len(questions)], secret
            )
            start, cpu_start = time.perf_counter(), time.thread_time()
            response = client.post(
                "/callback",
                data=item.body,
                headers={"X-Line-Signature": item.signature},
                content_type="application/json",
            )
            acked, cpu_acked = time.perf_counter(), time.thread_time()
            if response.status_code != 200 or not recorder.submitted:
                raise RuntimeError(
                    f"in-process webhook answered {response.status_code}: {response.get_data(as_text=True)}"
                )
            pk = recorder.submitted.pop()
            timers.take()
            if profiler and n >= 8:
                profiler.enable()
            begin, cpu_begin = time.perf_counter(), time.thread_time()
            processing.process_events(app, [pk])
            end, cpu_end = time.perf_counter(), time.thread_time()
            if profiler:
                profiler.disable()
            taken, taken_cpu = timers.take()
            if n < 8:
                continue
            acks.append(acked - start)
            totals.append(end - begin)
            ack_cpu.append(cpu_acked - cpu_start)
            answer_cpu.append(cpu_end - cpu_begin)
            for label in targets:
                parts[label].append(taken.get(label, 0.0))
                parts_cpu[label].append(taken_cpu.get(label, 0.0))
            parts["database + rest"].append((end - begin) - sum(taken.get(label, 0.0) for label in targets))
    answered = len(standin.sent)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    total_mean = statistics.fmean(totals)
    result = {
        "messages": messages,
        "answered": answered,
        "ack": _stats(acks),
        "process_events": _stats(totals),
        "parts": {
            label: {
                "mean_ms": round(statistics.fmean(values) * 1000, 3),
                "median_ms": round(statistics.median(values) * 1000, 3),
                "share": round(statistics.fmean(values) / total_mean, 3),
                **({"cpu_mean_ms": round(statistics.fmean(parts_cpu[label]) * 1000, 3)} if label in targets else {}),
            }
            for label, values in parts.items()
        },
        # CPU of the one thread (the stand-in answers in another): what the bot's processes pay per event.
        "cpu": {
            "ack_ms": round(statistics.fmean(ack_cpu) * 1000, 3),
            "answer_ms": round(statistics.fmean(answer_cpu) * 1000, 3),
            # Work any design of this bot does per question, whatever it stores: record the event and ack,
            # read the event, understand and answer, render, and the SDK's HTTP call.
            "floor_ms": round(
                (statistics.fmean(ack_cpu) + sum(statistics.fmean(parts_cpu[label]) for label in targets)) * 1000, 3
            ),
        },
    }
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(profile)
        result["profile"] = out.getvalue()
    return result


def accuracy(tmp: str) -> dict:
    """tests/corpus/run.py's evaluate on each corpus file, against the demo data."""
    app = demo_app(tmp)
    figures = {}
    for name in ACCURACY_FILES:
        right, total, share = score(evaluate(app, load(name)))
        figures[name] = {"right": right, "total": total, "accuracy": round(share, 4)}
    return figures
