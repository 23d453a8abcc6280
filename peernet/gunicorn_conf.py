"""gunicorn's settings for this service: `gunicorn -c peernet/gunicorn_conf.py peernet.wsgi`
(the `web` line of the Procfile).

The access log goes to standard output with participant-link tokens redacted
(peernet/logs.py, docs/security.md §15). Everything here can be overridden on the command
line or by the variables named.
"""

import gc
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# A page that takes longer than this is stuck: the worker is restarted (and the request
# answered 502 by the proxy). Long work (downloads, returns) runs in Celery, not here.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Between requests a worker keeps its connection to the proxy open this long.
keepalive = 5
# Trust X-Forwarded-Proto (and -For) only from our own proxies: the same addresses as
# the service's TRUSTED_PROXIES (peernet.addresses.client_ip).
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "127.0.0.1") or "127.0.0.1"
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logger_class = "peernet.logs.GunicornLogger"


def post_worker_init(worker: object) -> None:
    """Once a worker has loaded the application, its objects so far (Django, the URL
    patterns, the settings: alive as long as the process) are moved out of the garbage
    collector's sight. Each collection then walks only what requests made: measured with
    the benchmark (benchmarks/NOTES.md), about a quarter less CPU per request."""
    gc.freeze()
