"""Gunicorn hooks (read automatically from the working directory): event workers start with the
process, and a graceful shutdown answers what this process already acknowledged before it exits."""

DRAIN_SECONDS = 20.0  # within gunicorn's default 30 s graceful timeout


def _dispatcher(worker):
    app = getattr(worker, "wsgi", None)
    extensions = getattr(app, "extensions", None) or {}
    return extensions.get("event_dispatcher")


def post_worker_init(worker):
    """Start answering (and sweeping up what a crashed process left) before the first request."""
    dispatcher = _dispatcher(worker)
    if dispatcher is not None:
        dispatcher.start()


def worker_exit(server, worker):
    """Answer the events this process acknowledged, then stop; whatever remains the sweeper takes."""
    dispatcher = _dispatcher(worker)
    if dispatcher is not None:
        dispatcher.drain(DRAIN_SECONDS)
        dispatcher.stop()
