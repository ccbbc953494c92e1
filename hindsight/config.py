"""Settings read from the environment through small strict helpers.

Every setting is declared once in ``SETTINGS`` with a one-line description;
``docs/configuration.md`` documents each one and a test fails when one is
missing there. A malformed value raises ``ConfigError`` naming the variable,
so a typo stops startup instead of being silently ignored.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from hindsight.probe.egress import EgressPolicy


class ConfigError(Exception):
    """A setting has a value Hindsight cannot use."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    description: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "HINDSIGHT_DATA_DIR",
        "./.hindsight",
        "Folder for the SQLite database, secret key, static files and status-page snapshots.",
    ),
    Setting(
        "HINDSIGHT_DATABASE_URL",
        "sqlite:///<data dir>/hindsight.sqlite3",
        "Database URL: sqlite:///path or postgresql://user:pass@host:port/name.",
    ),
    Setting(
        "HINDSIGHT_SECRET_KEY",
        "(generated)",
        "Django secret key; generated once and stored in the data dir when unset.",
    ),
    Setting(
        "HINDSIGHT_SECRET_KEY_FILE",
        "",
        "Read the secret key from this file instead (e.g. a mounted secret).",
    ),
    Setting(
        "HINDSIGHT_ALLOWED_HOSTS",
        "localhost,127.0.0.1,[::1]",
        "Comma-separated host names the web server answers to.",
    ),
    Setting(
        "HINDSIGHT_BASE_URL",
        "http://127.0.0.1:8000",
        "Public URL of this install, used in emails, feeds and links.",
    ),
    Setting("HINDSIGHT_DEBUG", "false", "Django debug mode (true/false). Never on in production."),
    Setting("HINDSIGHT_LOG_LEVEL", "INFO", "Log level: DEBUG, INFO, WARNING or ERROR."),
    Setting(
        "HINDSIGHT_SMTP_HOST",
        "",
        "SMTP server for outgoing email; empty means email is written to the log only.",
    ),
    Setting("HINDSIGHT_SMTP_PORT", "25", "SMTP port."),
    Setting("HINDSIGHT_SMTP_USER", "", "SMTP user name, if the server needs one."),
    Setting("HINDSIGHT_SMTP_PASSWORD", "", "SMTP password."),
    Setting("HINDSIGHT_SMTP_PASSWORD_FILE", "", "Read the SMTP password from this file instead."),
    Setting(
        "HINDSIGHT_SMTP_STARTTLS", "false", "Use STARTTLS on the SMTP connection (true/false)."
    ),
    Setting("HINDSIGHT_EMAIL_FROM", "hindsight@localhost", "From address of outgoing email."),
    Setting(
        "HINDSIGHT_WEB_WORKERS",
        "CPU cores, at most 4",
        "Number of web server worker processes started by `hindsight serve`.",
    ),
    Setting("HINDSIGHT_WEB_THREADS", "4", "Threads per web worker for Django requests."),
    Setting(
        "HINDSIGHT_WEB_BODY_TIMEOUT_SECONDS",
        "60",
        "Longest time a client may take to send a request body; slower ones get 408.",
    ),
    Setting(
        "HINDSIGHT_WEB_MAX_BODY_BYTES",
        "104857600",
        "Largest request body accepted (uploads included); larger ones get 413.",
    ),
    Setting(
        "HINDSIGHT_POSTMORTEM_DUE",
        "SEV1=24h/7d,SEV2=48h,SEV3=48h,SEV4=48h",
        "When a post-mortem is due after resolution, per severity; 'debrief/review' sets both.",
    ),
    Setting(
        "HINDSIGHT_POSTMORTEM_REQUIRED",
        "SEV1,SEV2",
        "Severities whose resolution drafts a post-mortem by itself; others get one when someone asks.",
    ),
    Setting(
        "HINDSIGHT_POSTMORTEM_SKIP_SHORT_AUTOMATIC_MINUTES",
        "10",
        "An incident opened by a monitor or an alert that lasted less than this gets no post-mortem unless someone asks.",
    ),
    Setting(
        "HINDSIGHT_INSIGHTS_REPEAT_DAYS",
        "30",
        "Insights: an incident counts as a repeat when an earlier one sharing a service or contributing factor started at most this many days before it.",
    ),
    Setting(
        "HINDSIGHT_STATUSPAGE_TICK_SECONDS",
        "30",
        "How often a worker rewrites its status-page snapshot files when pages changed on another machine (0 = never).",
    ),
    Setting(
        "HINDSIGHT_WORKER_REGION",
        "default",
        "Region name of the worker started by `hindsight worker`/`serve`.",
    ),
    Setting(
        "HINDSIGHT_WORKER_CONCURRENCY",
        "200",
        "Checks in flight at once in one worker.",
    ),
    Setting(
        "HINDSIGHT_WORKER_LEASE_GRACE_SECONDS",
        "15",
        "A leased check may take its timeout plus this long before another worker takes it over.",
    ),
    Setting(
        "HINDSIGHT_WORKER_STALE_SECONDS",
        "60",
        "/healthz fails when no worker has sent a heartbeat for this long (workers beat every 5 s).",
    ),
    Setting(
        "HINDSIGHT_OUTBOX_MAX_ATTEMPTS",
        "8",
        "Attempts per outbound delivery (email, webhook, chat) before it becomes a dead letter.",
    ),
    Setting(
        "HINDSIGHT_OUTBOX_CONCURRENCY",
        "4",
        "Destinations one worker sends to at once, so a slow receiver holds up only its own deliveries.",
    ),
    Setting(
        "HINDSIGHT_MONITOR_RESOLVE_AFTER_SECONDS",
        "300",
        "Quiet period: resolve a monitor's incident once it has stayed up this long.",
    ),
    Setting(
        "HINDSIGHT_MONITOR_GROUP_WINDOW_SECONDS",
        "3600",
        "Grouping window: a monitor outage joins the open incident another monitor of the same "
        "component or service opened this recently, instead of opening its own.",
    ),
    Setting(
        "HINDSIGHT_MONITOR_RAW_RETENTION_HOURS",
        "2",
        "Keep raw check results this many hours (then only rollups remain).",
    ),
    Setting(
        "HINDSIGHT_MONITOR_MINUTE_RETENTION_HOURS", "3", "Keep per-minute rollups this many hours."
    ),
    Setting("HINDSIGHT_MONITOR_HOUR_RETENTION_DAYS", "2", "Keep hourly rollups this many days."),
    Setting(
        "HINDSIGHT_MONITOR_DAY_RETENTION_DAYS",
        "100",
        "Keep daily rollups this many days (90-day uptime bars need at least 90).",
    ),
    Setting(
        "HINDSIGHT_EGRESS_ALLOW",
        "loopback",
        "Non-public address ranges monitors and webhooks may reach: 'loopback', 'private', CIDR ranges, comma-separated, or 'none'. Link-local and cloud metadata addresses are always refused.",
    ),
    Setting(
        "HINDSIGHT_METRICS_TOKEN",
        "",
        "Bearer token Prometheus sends to scrape /metrics (HINDSIGHT_METRICS_TOKEN_FILE reads it from a file).",
    ),
    Setting(
        "HINDSIGHT_METRICS_ALLOW",
        "",
        "Comma-separated addresses or networks (10.0.0.0/8) that may scrape /metrics without the token. With neither set, /metrics is off.",
    ),
    Setting(
        "HINDSIGHT_TRUSTED_PROXY",
        "false",
        "Hindsight runs behind one reverse proxy that sets X-Forwarded-Proto and the client-address header (true/false).",
    ),
    Setting(
        "HINDSIGHT_CLIENT_IP_HEADER",
        "X-Forwarded-For",
        "With a trusted proxy: the header whose last entry is the client's address.",
    ),
    Setting(
        "HINDSIGHT_HSTS_SECONDS",
        "31536000 with an https:// base URL, else 0",
        "Strict-Transport-Security max-age sent on HTTPS responses (0 = none).",
    ),
    Setting(
        "HINDSIGHT_LOGIN_FAILURE_LIMIT",
        "5",
        "Failed logins per user name, and per client address, before logins are refused for a while.",
    ),
    Setting(
        "HINDSIGHT_LOGIN_LOCKOUT_MINUTES",
        "15",
        "How long logins stay refused after too many failures.",
    ),
    Setting(
        "HINDSIGHT_REQUIRE_SYSTEM_PARTS",
        "false",
        "Tests only: fail instead of skip when PostgreSQL, Chromium or another system part is missing (CI sets it).",
    ),
    Setting(
        "HINDSIGHT_TEST_DATABASE_URL",
        "",
        "Tests only: run the suite against this database (e.g. postgresql://postgres@127.0.0.1:5432/test).",
    ),
)

# The one Content-Security-Policy: Django pages send it through django-csp, the
# status-page snapshots (served before Django) send the same text.
CSP_DIRECTIVES: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],  # no inline script anywhere
    # The public status page carries its brand colour and custom CSS inline.
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
CSP_HEADER = "; ".join(f"{name} {' '.join(values)}" for name, values in CSP_DIRECTIVES.items())
# A self-contained page or image (a post-mortem's printable export, a diagram, the
# insights report) replaces it: its own styles and data: images only, nothing fetched,
# never framed, no base or form targets.
SELF_CONTAINED_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


def env_str(name: str, default: str = "", *, env: Mapping[str, str] | None = None) -> str:
    """Return a string setting, reading ``NAME_FILE`` when it is set."""
    env = os.environ if env is None else env
    file_name = env.get(f"{name}_FILE", "")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE: cannot read {file_name!r}: {exc.strerror}") from exc
    return env.get(name, default)


def env_bool(name: str, default: bool = False, *, env: Mapping[str, str] | None = None) -> bool:
    """Return a boolean setting; anything but true/false/1/0/yes/no/on/off is an error."""
    env = os.environ if env is None else env
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name}: expected true or false, got {raw!r}")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    env: Mapping[str, str] | None = None,
) -> int:
    """Return an integer setting within optional bounds."""
    env = os.environ if env is None else env
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}: expected a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name}: must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name}: must be at most {maximum}, got {value}")
    return value


def env_list(name: str, default: list[str], *, env: Mapping[str, str] | None = None) -> list[str]:
    """Return a comma-separated list setting with blanks dropped."""
    env = os.environ if env is None else env
    raw = env.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(
    name: str, *, env: Mapping[str, str] | None = None
) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """Return a comma-separated list of addresses or networks (``10.0.0.0/8``, ``::1``)."""
    networks = []
    for item in env_list(name, [], env=env):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ConfigError(f"{name}: {item!r} is not an address or a network") from None
    return networks


def env_url(
    name: str, default: str, *, schemes: tuple[str, ...], env: Mapping[str, str] | None = None
) -> str:
    """Return a URL setting whose scheme is one of ``schemes``."""
    value = env_str(name, default, env=env).strip()
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        allowed = ", ".join(f"{s}://" for s in schemes)
        raise ConfigError(f"{name}: expected a URL starting with {allowed}, got {value!r}")
    if parts.scheme.startswith("http") and not parts.netloc:
        raise ConfigError(f"{name}: URL {value!r} has no host")
    return value


def env_choice(
    name: str, default: str, choices: tuple[str, ...], *, env: Mapping[str, str] | None = None
) -> str:
    """Return a setting that must be one of ``choices`` (case-insensitive)."""
    env = os.environ if env is None else env
    raw = env.get(name, default).strip()
    for choice in choices:
        if raw.upper() == choice.upper():
            return choice
    raise ConfigError(f"{name}: expected one of {', '.join(choices)}, got {raw!r}")


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """Return the data directory, created if absent."""
    path = Path(env_str("HINDSIGHT_DATA_DIR", "./.hindsight", env=env)).expanduser().resolve()
    try:
        if not path.exists():
            # Owner only: it holds the database, the secret key and backups.
            path.mkdir(parents=True, mode=0o700)
            path.chmod(0o700)  # mkdir's mode is filtered by the umask
    except OSError as exc:
        raise ConfigError(
            f"HINDSIGHT_DATA_DIR: cannot create {str(path)!r}: {exc.strerror}"
        ) from exc
    return path


def secret_key(directory: Path, env: Mapping[str, str] | None = None) -> str:
    """Return the secret key: from the environment, a file, or generated once and kept."""
    value = env_str("HINDSIGHT_SECRET_KEY", "", env=env)
    if value:
        if len(value) < 32:
            raise ConfigError("HINDSIGHT_SECRET_KEY: must be at least 32 characters long")
        return value
    key_file = directory / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    value = secrets.token_urlsafe(50)
    # Create with owner-only permissions before writing the secret.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value)
    return value


def egress_policy(env: Mapping[str, str] | None = None) -> EgressPolicy:
    """Return the egress policy from HINDSIGHT_EGRESS_ALLOW."""
    raw = env_str("HINDSIGHT_EGRESS_ALLOW", "loopback", env=env)
    try:
        return EgressPolicy.from_text(raw)
    except ValueError as exc:
        raise ConfigError(f"HINDSIGHT_EGRESS_ALLOW: {exc}") from None


def protect_sqlite(path: Path) -> None:
    """Create the SQLite database file owner-only (0600) before SQLite does.

    SQLite gives its -wal and -shm files the database file's permissions, so
    they follow; an existing database is tightened the same way.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        os.close(fd)
        for suffix in ("", "-wal", "-shm"):
            name = Path(f"{path}{suffix}")
            if name.exists() and name.stat().st_mode & 0o077:
                name.chmod(0o600)
    except OSError as exc:
        raise ConfigError(
            f"HINDSIGHT_DATABASE_URL: cannot create {str(path)!r}: {exc.strerror}"
        ) from exc


def database_url(directory: Path, env: Mapping[str, str] | None = None) -> str:
    """Return the database URL, defaulting to SQLite in the data dir."""
    default = f"sqlite:///{directory / 'hindsight.sqlite3'}"
    return env_url(
        "HINDSIGHT_DATABASE_URL", default, schemes=("sqlite", "postgresql", "postgres"), env=env
    )
