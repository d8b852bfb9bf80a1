"""A small Celery app for jobscope's demo workload and its tests (Celery >= 5, Redis broker and result backend).

Broker and backend come from JOBSCOPE_CELERY_BROKER_URL / JOBSCOPE_CELERY_RESULT_URL (the service's own variables),
so one setting points both the workers and jobscope at the same Redis. Run a worker with:
    /usr/bin/python3 -m celery -A jobscope_tasks worker -E --concurrency=2 -n demo@%h
"""
import os
import signal
import threading
import time

from celery import Celery
from celery.signals import worker_init

broker = os.environ.get("JOBSCOPE_CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
app = Celery("jobscope_tasks", broker=broker, backend=os.environ.get("JOBSCOPE_CELERY_RESULT_URL") or broker)
app.conf.update(
    # What a monitor needs from the result backend: names, args and workers (result_extended) and STARTED.
    result_extended=True,
    task_track_started=True,
    task_send_sent_event=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    task_default_queue=os.environ.get("JOBSCOPE_CELERY_DEMO_QUEUE", "celery"),
)


@worker_init.connect
def _exit_with_parent(**_):
    """With JOBSCOPE_CELERY_EXIT_WITH_STDIN=1 (npm start), a warm shutdown once stdin closes: the launcher is gone,
    even when it was killed without a chance to stop its children."""
    if os.environ.get("JOBSCOPE_CELERY_EXIT_WITH_STDIN") != "1":
        return

    def watch():
        # The raw fd, not sys.stdin: a thread blocked in a buffered read holds its lock, and the prefork pool's
        # children (forked meanwhile) close sys.stdin first thing, which would then wait on that lock forever.
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        # Nobody reads our output any more: a write to the dead pipe would fail the shutdown's own logging.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.kill(os.getpid(), signal.SIGTERM)
        # A warm shutdown waits for running tasks; past that, the whole group (the launcher starts us detached).
        time.sleep(15)
        if os.getpgid(0) == os.getpid():
            os.killpg(0, signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


@app.task(bind=True)
def slow(self, seconds=5.0, tag=None):
    """Sleeps in steps, reporting progress in the result backend (state PROGRESS)."""
    steps = max(1, int(seconds * 4))
    for i in range(steps):
        time.sleep(seconds / steps)
        self.update_state(state="PROGRESS", meta={"percent": round(100 * (i + 1) / steps), "tag": tag})
    return {"slept": seconds, "tag": tag}


@app.task(bind=True, acks_late=True)
def slow_late(self, seconds=5.0):
    time.sleep(seconds)
    return seconds


@app.task
def add(x, y):
    return x + y


@app.task
def fail(message="boom"):
    raise ValueError(message)


@app.task(bind=True, max_retries=2)
def flaky(self, countdown=1):
    """Fails and retries with a countdown until max_retries, then fails for good."""
    try:
        raise RuntimeError("retry me")
    except RuntimeError as exc:
        raise self.retry(exc=exc, countdown=countdown)


@app.task
def echo(*args, **kwargs):
    return {"args": list(args), "kwargs": kwargs}
