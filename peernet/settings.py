"""Settings for the Peer Networks system.

One module, driven by environment variables (README "Configuration"). Every helper
below fails loudly on a value it cannot read, so a typo in production stops the
process at start-up instead of running with a silent default.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    items = [item.strip() for item in raw.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={raw!r} has an empty entry: separate hosts by commas.")
    return items


DEBUG = env_bool("DEBUG", default=False)

# A development key is allowed only with DEBUG on; production must set its own.
_DEV_SECRET_KEY = "insecure-development-key-for-the-local-demo-only-never-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else None)
if not DEBUG and SECRET_KEY == _DEV_SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY is the development key: set a real one.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS (comma-separated) when DEBUG is off.")
# Where links in emails and printed addresses point (peernet.addresses.site_url):
# scripts/demo sets it to the port it serves on.
SITE_URL = env_str("SITE_URL", default="").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "peernet.apps.PeernetConfig",
    "participants.apps.ParticipantsConfig",
    "cohorts.apps.CohortsConfig",
    "sessions.apps.DeliveryConfig",
    "reporting.apps.ReportingConfig",
    "api.apps.ApiConfig",
    "alumni.apps.AlumniConfig",
    "demo.apps.DemoConfig",
]

MIDDLEWARE = [
    # Every log line, audit event and task a request causes carries its id (peernet.logs).
    "peernet.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # docs/security.md §20: an oversized body is refused before anything reads it.
    "peernet.middleware.RequestSizeMiddleware",
    # docs/security.md §11: the one place that demands a second factor (and request.user's
    # is_verified(), in place of django_otp.middleware.OTPMiddleware: see its docstring).
    "peernet.middleware.SecondFactorMiddleware",
    # docs/api.md: under /api/, a personal API token's user is the request's user.
    "api.middleware.ApiTokenMiddleware",
    # docs/security.md §3: the hub scope every query of hub-owned data runs in.
    "peernet.middleware.HubScopeMiddleware",
    "peernet.middleware.NoStoreMiddleware",
    # docs/security.md §21: who was shown a page about a named person (in the hub scope).
    "peernet.audit.PersonalDataViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-axes turns a locked-out sign-in into the lockout page; it goes last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "peernet.urls"
WSGI_APPLICATION = "peernet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peernet.context_processors.service",
            ],
        },
    },
]

# DATABASE_URL: PostgreSQL in production and CI; a SQLite file under var/ for the demo.
_default_sqlite = f"sqlite:///{BASE_DIR / 'var' / 'peernet.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", default=_default_sqlite),
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
            # A kept connection is checked before each request uses it: after the
            # database restarts, requests go on without restarting the web processes.
            conn_health_checks=True,
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL cannot be read: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # The embedded default takes writers one at a time: a transaction takes the write
    # lock when it begins (IMMEDIATE) and waits up to 20 s for it, rather than failing
    # "database is locked" when two requests upgrade from reading to writing at once;
    # WAL lets pages read meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Issue 10 (benchmarks/REPORT.md): PostgreSQL's JIT spent 17 of 21 s compiling the
    # wide KPI aggregates of reporting/kpi/ at N = 6,000; they are short queries without it.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "peernet.User"
# docs/security.md §10: django-axes checks every sign-in first and refuses a locked-out one.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    # docs/security.md §13: length, common, guessable and name-like passwords; no composition rules.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        # Our users have an email address and a name (peernet.User), not Django's fields.
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["email", "name"]},
    },
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Repeats, sequences, keyboard walks, dates, l33t spellings of breached passwords and
    # dictionary words, judged offline against zxcvbn's lists (no network call).
    {"NAME": "peernet.passwords.GuessablePasswordValidator"},
]
# Emailed links that set a password (Django's token machinery, peernet/staff.py): a
# "Forgot your password?" link works for an hour; a new member of staff's invitation for
# three days. Either stops working once used (the token is tied to the password hash)
# or when the password changes. A second factor is still needed to sign in.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_SECONDS", 60 * 60)
INVITATION_TIMEOUT = env_int("INVITATION_SECONDS", 3 * 24 * 60 * 60)

LANGUAGE_CODE = "en-gb"
# Time: store UTC, show and compute calendar rules in Europe/London (peernet/calendar.py).
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns at start-up without it
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files the service writes (downloads): local disk under MEDIA_ROOT by default; any
# Django storage by configuration, e.g. S3-compatible object storage for a service on
# several machines (django-storages: README, "Scaling out").
STORAGES = {
    "default": {
        "BACKEND": env_str("FILE_STORAGE", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(os.environ.get("FILE_STORAGE_OPTIONS") or "{}"),
    },
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "var" / "media")

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Email: console in the demo, SMTP in production (EMAIL_HOST etc.), locmem in tests.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="peer-networks@localhost")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH") or None  # the file-based backend's folder
# A mail server that stops answering must not hold a worker for ever (peernet.outbox).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
# The outbox (peernet.outbox): the first wait after a failed try (doubling up to an
# hour), and how often beat delivers whatever is waiting.
OUTBOX_RETRY_SECONDS = env_int("OUTBOX_RETRY_SECONDS", 30)
OUTBOX_BEAT_SECONDS = env_int("OUTBOX_BEAT_SECONDS", 60)

# One cache every process shares, so a limit counted in it (the public registration
# form's, participants/views.py) survives a restart and holds across web processes:
# Redis in production (CACHE_URL); local memory only for the one-process demo, which the
# deployment check refuses to pass (peernet/checks.py).
CACHE_URL = os.environ.get("CACHE_URL") or None
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# docs/security.md §20: a request body larger than this is refused (413) before any of it is
# read; the largest upload is a registration import of 2 MB (participants/
# registration_import.py), with room for the form around it. A proxy in front should
# refuse larger bodies itself (README).
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 3 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = REQUEST_MAX_BYTES

# Celery: with no broker, tasks run in process through the same code (the demo);
# production and CI point CELERY_BROKER_URL at Redis.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
# Nothing the service runs reads a task's result, so none is kept: a result store on
# Redis would make every page that enqueues a task depend on it (and its client does not
# recover from an outage without a restart). The tests that wait on results set one.
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose worker died (killed, the machine lost) is handed to another worker: late
# acknowledgement leaves its message unacknowledged in Redis, which gives it out again
# once this many seconds have passed since it was taken (longer than any task runs:
# every task is safe to run twice), looking for such messages every few seconds.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 1800)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": 1,
}
# Publishing gives up quickly when Redis is away: the task is held in the database and
# sent when Redis is back (peernet.outbox), so a page need not wait for the broker.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# The worker logs through LOGGING below (JSON lines, request ids), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Security (docs/security.md §8, §9, §12). In production these pass `check --deploy`.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout, not a fixed lifetime
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# docs/security.md §9: no inline script or style anywhere, no framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
    }
}

# docs/api.md: calls a minute one API token may make (api.middleware).
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 300)

# docs/security.md §10: lock sign-in for a username from an address after repeated failures.
# The address is REMOTE_ADDR unless the request came through one of TRUSTED_PROXIES
# (comma-separated addresses of our own reverse proxies): only then is X-Forwarded-For
# read, so a client cannot pick its own address (peernet.addresses.client_ip).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
AXES_CLIENT_IP_CALLABLE = "peernet.addresses.client_ip"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
AXES_COOLOFF_TIME = dt.timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "peernet.middleware.login_username"
AXES_LOCKOUT_CALLABLE = "peernet.account_views.locked_out"
AXES_VERBOSE = False

# docs/security.md §11: the authenticator app shows this name beside the code.
OTP_TOTP_ISSUER = "Peer Networks"

# docs/security.md §15: every handler redacts participant-link tokens (peernet/logs.py),
# the development server's request log (`django.server`) included.
# One JSON object a log line in production (peernet.logs), readable lines in the demo.
LOG_FORMAT = env_str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_link_tokens": {"()": "peernet.logs.RedactLinkTokens"},
        "request_id": {"()": "peernet.logs.RequestIdFilter"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
        "json": {"()": "peernet.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["redact_link_tokens", "request_id"],
            "formatter": LOG_FORMAT,
        },
        "django.server": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_link_tokens"],
        },
    },
    "loggers": {
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="WARNING").upper()},
}

# The service's own name in the page header: no crown, no GOV.UK branding (not a GOV.UK domain).
SERVICE_NAME = "Peer Networks"

# Largest scenario document import_scenario reads (docs/security.md §20).
SCENARIO_MAX_BYTES = env_int("SCENARIO_MAX_BYTES", 50 * 1024 * 1024)

# Error reporting (peernet/error_reporting.py): off unless a DSN is given.
SENTRY_DSN = os.environ.get("SENTRY_DSN") or None
if SENTRY_DSN:
    from peernet.error_reporting import start as _start_error_reporting

    _start_error_reporting(
        SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT", default="production")
    )
