"""gunicorn settings for the web site (the Procfile's `web` process and `make run`).

Threads, not only processes: one slow page must not hold up the quick ones behind it, and
most of a request's time is spent waiting for the database, which releases the GIL. Two
processes of four threads each serve 8 requests at once with two copies of the app in
memory; SQLite readers never wait for each other (WAL, storage.db), PostgreSQL gets a
connection pool of the same size per process (MM_DB_POOL_SIZE). `make bench` measured this
against sync workers and more threads (README: Speed at national scale).
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("MM_WEB_THREADS", "4"))
# Keep connections from a proxy or a busy client open between requests.
keepalive = 5
timeout = 30
# A worker is replaced after this many requests (with jitter, so not all at once): memory
# that a library holds on to cannot pile up for ever.
max_requests = int(os.environ.get("MM_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("MM_ACCESS_LOG", "-") or None

# Secrets from systemd's credential files (deploy/systemd), before the app reads them.
from storage import credentials  # noqa: E402

credentials.load()
# The request id (X-Request-ID, from nginx or made by the app) ends each access line; with
# MM_LOG_FORMAT=json every line is JSON and shares it with the app's lines (web/logs.py).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s %(L)s %({x-request-id}o)s'
if os.environ.get("MM_LOG_FORMAT", "").strip().lower() == "json":
    logger_class = "web.logs.JsonGunicornLogger"


def child_exit(server, worker):  # noqa: ANN001, ANN201 - gunicorn's hook
    """/metrics sums the workers' counters (PROMETHEUS_MULTIPROC_DIR): a dead worker's
    gauges are dropped, its counters kept."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_fork(server, worker):  # noqa: ANN001, ANN201 - gunicorn's hook
    """A worker's threads share two malloc arenas instead of one each (glibc makes up to
    8 per core): memory one thread frees is reused by the next request on another, not kept
    per thread. With 4 threads this kept a worker ~10-25 MB smaller over the same requests
    (README: worker memory); MALLOC_ARENA_MAX in the environment takes precedence."""
    if not os.environ.get("MALLOC_ARENA_MAX"):
        _mallopt(M_ARENA_MAX, 2)


def post_worker_init(worker):  # noqa: ANN001, ANN201 - gunicorn's hook
    """The templates are compiled, and Babel's data loaded, before the worker takes its first
    request (web/templating.py warm_up). Then everything the worker holds so far (the app,
    its mappers, templates and locale data: ~170 000 objects) is moved out of the cyclic
    garbage collector's reach: they live as long as the worker, and a full collection that
    scans them all held the worker's threads for ~90 ms, against ~0.3 ms without them."""
    import gc

    from web.templating import warm_up

    warm_up(worker.wsgi)
    gc.freeze()


M_ARENA_MAX = -8  # glibc's malloc.h


def _mallopt(option: int, value: int) -> None:
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(option, value)
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to tune
        pass
