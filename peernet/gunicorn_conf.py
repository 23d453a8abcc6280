"""gunicorn's settings for this service: `gunicorn -c peernet/gunicorn_conf.py peernet.wsgi`.

The access log goes to standard output with participant-link tokens redacted
(peernet/logs.py, SECURITY.md 15). Everything here can be overridden on the command line.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logger_class = "peernet.logs.GunicornLogger"
