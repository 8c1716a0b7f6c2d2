"""Gunicorn hooks (read automatically from the working directory): event workers start with the
process, and a graceful shutdown answers what this process already acknowledged before it exits."""

import gc

DRAIN_SECONDS = 20.0  # within gunicorn's default 30 s graceful timeout


def _dispatcher(worker):
    app = getattr(worker, "wsgi", None)
    extensions = getattr(app, "extensions", None) or {}
    return extensions.get("event_dispatcher")


def post_worker_init(worker):
    """Load what understanding needs and start answering (and sweeping up what a crashed process left)
    before the first request."""
    dispatcher = _dispatcher(worker)
    if dispatcher is not None:
        from bot.nlu import warm_up

        warm_up()
        keep_out_of_full_collections()
        dispatcher.start()


def keep_out_of_full_collections():
    """What is loaded by now lives as long as the process (pythainlp's dictionary alone is ~700,000
    objects). Left to the garbage collector, every full pass walks all of it, a pause of ~0.2 s for
    every thread, acks included; frozen, the passes walk only what came later."""
    gc.collect()
    gc.freeze()


def worker_exit(server, worker):
    """Answer the events this process acknowledged, then stop; whatever remains the sweeper takes."""
    dispatcher = _dispatcher(worker)
    if dispatcher is not None:
        dispatcher.drain(DRAIN_SECONDS)
        dispatcher.stop()
