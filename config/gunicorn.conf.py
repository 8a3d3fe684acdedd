"""Gunicorn settings: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Every value can be overridden from the environment, so one image serves every size of machine.
The web process keeps no state of its own (sessions, throttles, consensus all live in
PostgreSQL), so any number of these containers can run behind a load balancer.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")  # noqa: S104 - inside a container
# Sync workers: one request at a time per process, the most predictable choice for a
# CPU-bound Django app with short requests. WEB_CONCURRENCY is the usual knob for the count.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request taking longer than this is killed and its worker replaced: a wedged worker must not
# hold a slot forever. Exports stream; a very large one may need a higher value.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so that slow leaks cannot build up. Not too often: a fresh
# worker opens its database connection and fills its caches again, and under load a recycle
# shows as a latency spike (at 2,000 requests, every worker restarted every ~30 s at 300 req/s).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "5000"))
# Trust X-Forwarded-* only from the reverse proxy's address (set to its IP, or "*" when the
# container is reachable from the proxy alone).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Django writes a JSON access line per request (annotator.access); gunicorn's own would repeat it.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Load the app once in the master, then fork: faster start, less memory per worker.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() in {"1", "true", "yes", "on"}
