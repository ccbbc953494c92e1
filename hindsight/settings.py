"""Django settings, built from HINDSIGHT_* environment variables (see hindsight.config)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext

from hindsight import config
from hindsight.postmortems import policy as postmortem_policy

# Generic admin and queryset classes (ModelAdmin[User]) at runtime, as the type stubs declare them.
django_stubs_ext.monkeypatch()

DATA_DIR = config.data_dir()
BASE_DIR = DATA_DIR
SECRET_KEY = config.secret_key(DATA_DIR)
DEBUG = config.env_bool("HINDSIGHT_DEBUG", False)
ALLOWED_HOSTS = config.env_list("HINDSIGHT_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
BASE_URL = config.env_url("HINDSIGHT_BASE_URL", "http://127.0.0.1:8000", schemes=("http", "https"))
LOG_LEVEL = config.env_choice("HINDSIGHT_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR"))
CSRF_TRUSTED_ORIGINS = [BASE_URL.rstrip("/")]
EGRESS_POLICY = config.egress_policy()

DOMAIN_APPS = [
    "hindsight.runner",
    "hindsight.accounts",
    "hindsight.outbox",
    "hindsight.catalog",
    "hindsight.incidents",
    "hindsight.monitors",
    "hindsight.statuspage",
    "hindsight.postmortems",
    "hindsight.actions",
    "hindsight.insights",
    "hindsight.integrations",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "ninja",  # /api/docs serves Swagger UI from its bundled static files, not a CDN
    "hindsight.web",
    *DOMAIN_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hindsight.web.middleware.LoginRequiredMiddleware",  # Django's, without Vary: Cookie on public pages
    "hindsight.accounts.audit.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hindsight.web.middleware.RefusedInputMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

AUTHENTICATION_BACKENDS = [
    "hindsight.accounts.backends.LoginThrottle",  # first: refuses a locked-out login
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "hindsight.urls"
WSGI_APPLICATION = "hindsight.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "incidents:list"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hindsight.web.context.navigation",
            ],
        },
    },
]


def _database(url: str) -> dict[str, object]:
    db: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if db["ENGINE"] == "django.db.backends.sqlite3":
        if str(db["NAME"]) not in ("", ":memory:"):
            config.protect_sqlite(Path(str(db["NAME"])))
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write
        # lock at BEGIN so two writers queue on busy_timeout instead of failing.
        db["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=20000;"
                "PRAGMA foreign_keys=ON;"
            ),
        }
        db["CONN_MAX_AGE"] = 0
        # A file (not in-memory) test database, so threads in tests share it.
        db["TEST"] = {"NAME": str(DATA_DIR / "test-hindsight.sqlite3")}
    else:
        db["CONN_HEALTH_CHECKS"] = True
    return db


DATABASES = {"default": _database(config.database_url(DATA_DIR))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"

# Behind a reverse proxy: the scheme and the client's address come from its headers.
METRICS_TOKEN = config.env_str("HINDSIGHT_METRICS_TOKEN", "").strip()
METRICS_ALLOW = config.env_networks("HINDSIGHT_METRICS_ALLOW")
TRUSTED_PROXY = config.env_bool("HINDSIGHT_TRUSTED_PROXY", False)
CLIENT_IP_HEADER = config.env_str("HINDSIGHT_CLIENT_IP_HEADER", "X-Forwarded-For").strip()
if TRUSTED_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

HTTPS = BASE_URL.startswith("https://")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# Sent by SecurityMiddleware on HTTPS responses only.
SECURE_HSTS_SECONDS = config.env_int(
    "HINDSIGHT_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0, maximum=63072000
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {"DIRECTIVES": config.CSP_DIRECTIVES}

# Login throttling (django-axes): per user name and, separately, per client address.
AXES_FAILURE_LIMIT = config.env_int("HINDSIGHT_LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=1000)
AXES_COOLOFF_TIME = (
    config.env_int("HINDSIGHT_LOGIN_LOCKOUT_MINUTES", 15, minimum=1, maximum=24 * 60) / 60
)  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "hindsight.accounts.clientip.client_address"
AXES_LOCKOUT_CALLABLE = "hindsight.web.views.locked_out"
AXES_VERBOSE = False

EMAIL_HOST = config.env_str("HINDSIGHT_SMTP_HOST", "")
EMAIL_PORT = config.env_int("HINDSIGHT_SMTP_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = config.env_str("HINDSIGHT_SMTP_USER", "")
EMAIL_HOST_PASSWORD = config.env_str("HINDSIGHT_SMTP_PASSWORD", "")
EMAIL_USE_TLS = config.env_bool("HINDSIGHT_SMTP_STARTTLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = config.env_str("HINDSIGHT_EMAIL_FROM", "hindsight@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)

POSTMORTEM_DUE = postmortem_policy.parse_policy(
    config.env_str(postmortem_policy.SETTING, postmortem_policy.DEFAULT)
)
POSTMORTEM_REQUIRED = postmortem_policy.parse_required(
    config.env_str(postmortem_policy.REQUIRED_SETTING, postmortem_policy.REQUIRED_DEFAULT)
)
POSTMORTEM_SKIP_SHORT_AUTOMATIC_MINUTES = config.env_int(
    postmortem_policy.SHORT_SETTING, 10, minimum=0, maximum=1440
)
STATUSPAGE_TICK_SECONDS = config.env_int(
    "HINDSIGHT_STATUSPAGE_TICK_SECONDS", 30, minimum=0, maximum=3600
)

# One process per core (up to 4): Python runs one request at a time per process,
# and the status page snapshot is served inside these processes.
WEB_WORKERS = config.env_int(
    "HINDSIGHT_WEB_WORKERS", min(os.cpu_count() or 1, 4), minimum=1, maximum=64
)
# Insights: an incident is a repeat when one sharing a service or factor started this many days before.
INSIGHTS_REPEAT_DAYS = config.env_int("HINDSIGHT_INSIGHTS_REPEAT_DAYS", 30, minimum=1, maximum=365)
WEB_THREADS = config.env_int("HINDSIGHT_WEB_THREADS", 4, minimum=1, maximum=256)
# Bodies are read by the front (hindsight.front) before a thread is given to Django.
WEB_BODY_TIMEOUT_SECONDS = config.env_int(
    "HINDSIGHT_WEB_BODY_TIMEOUT_SECONDS", 60, minimum=1, maximum=3600
)
WEB_MAX_BODY_BYTES = config.env_int(
    "HINDSIGHT_WEB_MAX_BODY_BYTES", 100 * 1024 * 1024, minimum=1024 * 1024
)

# Every API list is paginated (?limit=&offset=); no page holds more than this.
NINJA_PAGINATION_PER_PAGE = 100
NINJA_PAGINATION_MAX_LIMIT = 500

WORKER_REGION = config.env_str("HINDSIGHT_WORKER_REGION", "default").strip() or "default"
WORKER_CONCURRENCY = config.env_int("HINDSIGHT_WORKER_CONCURRENCY", 200, minimum=1, maximum=10000)
WORKER_LEASE_GRACE_SECONDS = config.env_int(
    "HINDSIGHT_WORKER_LEASE_GRACE_SECONDS", 15, minimum=1, maximum=3600
)
WORKER_STALE_SECONDS = config.env_int(
    "HINDSIGHT_WORKER_STALE_SECONDS", 60, minimum=10, maximum=86400
)
OUTBOX_MAX_ATTEMPTS = config.env_int("HINDSIGHT_OUTBOX_MAX_ATTEMPTS", 8, minimum=1, maximum=100)
OUTBOX_CONCURRENCY = config.env_int("HINDSIGHT_OUTBOX_CONCURRENCY", 4, minimum=1, maximum=64)
MONITOR_RESOLVE_AFTER_SECONDS = config.env_int(
    "HINDSIGHT_MONITOR_RESOLVE_AFTER_SECONDS", 300, minimum=0
)
MONITOR_GROUP_WINDOW_SECONDS = config.env_int(
    "HINDSIGHT_MONITOR_GROUP_WINDOW_SECONDS", 3600, minimum=0, maximum=7 * 86400
)
MONITOR_RAW_RETENTION_HOURS = config.env_int("HINDSIGHT_MONITOR_RAW_RETENTION_HOURS", 2, minimum=1)
MONITOR_MINUTE_RETENTION_HOURS = config.env_int(
    "HINDSIGHT_MONITOR_MINUTE_RETENTION_HOURS", 3, minimum=2
)
MONITOR_HOUR_RETENTION_DAYS = config.env_int("HINDSIGHT_MONITOR_HOUR_RETENTION_DAYS", 2, minimum=2)
MONITOR_DAY_RETENTION_DAYS = config.env_int("HINDSIGHT_MONITOR_DAY_RETENTION_DAYS", 100, minimum=91)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"redact": {"()": "hindsight.logconfig.RedactSecrets"}},
    "handlers": {
        "console": {
            "class": "hindsight.logconfig.StderrHandler",
            "formatter": "plain",
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Lockouts are logged at WARNING; every successful login at INFO is noise.
        "axes": {"level": "WARNING"},
    },
}
