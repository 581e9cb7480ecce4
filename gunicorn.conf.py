"""Gunicorn settings for fundops in production behind a reverse proxy (nginx, a load
balancer): ``gunicorn -c gunicorn.conf.py`` (install with ``pip install '.[serve]'``).

Every value can be overridden by an environment variable (``FUNDOPS_BIND``,
``WEB_CONCURRENCY``, ``FUNDOPS_THREADS``, ``FUNDOPS_FORWARDED_ALLOW_IPS``, ...). How to
choose them, and the database pool that goes with them: docs/serving.md.

Proxy: the proxy must set ``X-Forwarded-For`` and ``X-Forwarded-Proto``. Gunicorn trusts
``X-Forwarded-Proto`` only from ``forwarded_allow_ips`` (the proxy's address), so
``url_for(_external=True)`` and redirects say https. The client address used by log-in
throttling comes from ``X-Forwarded-For`` through Werkzeug's ProxyFix, enabled by
``FUNDOPS_PROXY_FIX_HOPS`` = the number of proxies in front of gunicorn (1 for one nginx;
0, the default, trusts no forwarded header). Never set it higher than the real number of
proxies: a client could then forge its address.
"""

from __future__ import annotations

import multiprocessing
import os

wsgi_app = "fundops:create_app()"
bind = os.environ.get("FUNDOPS_BIND", "127.0.0.1:8000")

# Processes from cores (the usual 2 × cores + 1, capped), each with a few threads: the
# work is mostly waiting on the database.
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 12)))
worker_class = "gthread"
threads = int(os.environ.get("FUNDOPS_THREADS", "4"))

# Keep-alive longer than a browser's idle gap (Chromium holds idle connections ~60 s) and
# than the proxy's upstream keep-alive, so the server never closes a connection the client
# is about to reuse (which shows up as sporadic "connection reset" failures).
keepalive = int(os.environ.get("FUNDOPS_KEEPALIVE", "75"))
# A worker whose main loop is silent this long is killed and replaced. With gthread that
# loop runs beside the request threads, so this does NOT bound a request's time (a slow
# page runs to its end; the proxy's read timeout is what the user sees): docs/serving.md.
timeout = int(os.environ.get("FUNDOPS_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then (bounded memory growth); jitter avoids all at once. A new
# worker starts with empty per-process caches (0 turns recycling off).
max_requests = int(os.environ.get("FUNDOPS_MAX_REQUESTS", "2000"))
max_requests_jitter = 200

forwarded_allow_ips = os.environ.get("FUNDOPS_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proxy_allow_ips = forwarded_allow_ips

# Request limits (bodies are limited by the app: MAX_CONTENT_LENGTH, MAX_JSON_BYTES).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190

# Logs to stderr; the app's own lines are JSON (fundops.logging_setup), the access log a
# key=value line per request.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("FUNDOPS_GUNICORN_LOGLEVEL", "info")
access_log_format = ('remote=%({x-forwarded-for}i)s method=%(m)s path="%(U)s" query="%(q)s" '
                     'status=%(s)s bytes=%(B)s duration_us=%(D)s agent="%(a)s"')


def post_worker_init(worker: object) -> None:
    """Before the worker takes requests: loads the compiled XIRR kernel (from numba's
    on-disk cache, under a second; a fresh install compiles it once, about 10 s) and the
    most recently computed large figures (``METRIC_CACHE_PRELOAD``, see
    fundops.metrics.cache.preload) and starts following the ones computed later
    (fundops.metrics.follow), then moves everything loaded so far out of the
    garbage collector's scans (fundops/metrics/heap.py). A database that does not answer
    leaves the figures to the first requests."""
    import logging

    import sqlalchemy

    from fundops.calc.returns import compiled_kernel
    from fundops.extensions import db
    from fundops.metrics import cache, follow, heap

    compiled_kernel()
    app = getattr(worker, "wsgi", None)
    if app is not None and hasattr(app, "app_context"):
        with app.app_context():
            try:
                cache.preload()
            except (sqlalchemy.exc.SQLAlchemyError, ValueError, TypeError) as exc:
                logging.getLogger("fundops.serve").warning("figures not preloaded: %s", exc)
            finally:
                db.session.remove()
        follow.start(app)
    heap.settle()
