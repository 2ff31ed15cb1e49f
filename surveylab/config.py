"""Configuration in one place: environment variables, with documented defaults.

- ``SURVEYLAB_DATA_DIR``: folder for the embedded database, the generated secret and reports
  (default :func:`default_data_dir`: ``<repo>/data`` in a checkout, else
  ``$XDG_DATA_HOME/surveylab``).
- ``SURVEYLAB_DATABASE_URL``: SQLAlchemy URL, ``duckdb:///path.duckdb`` or
  ``postgresql+psycopg://user@host:port/db`` (default: ``surveylab.duckdb`` in the data dir).
- ``SURVEYLAB_SECRET_KEY``: JWT signing secret, at least 32 bytes. Required with PostgreSQL; in
  the embedded mode generated once into ``<data dir>/secret.key`` with mode 600.
- ``SURVEYLAB_TOKEN`` / ``SURVEYLAB_TOKEN_FILE``: the access token used by the CLI, notebooks and
  scheduled reports (a token file must be readable by its owner only).
- ``SURVEYLAB_ACCESS_MINUTES`` (15), ``SURVEYLAB_REFRESH_HOURS`` (8): token lifetimes.
- ``SURVEYLAB_MIN_PASSWORD_LENGTH`` (12).
- ``SURVEYLAB_LOGIN_MAX_FAILURES`` (5) and ``SURVEYLAB_LOGIN_LOCK_MINUTES`` (15): failed logins
  within the window that lock a username, and for how long.
- ``SURVEYLAB_MAX_UPLOAD_MB`` (50): largest survey file accepted.
- ``SURVEYLAB_LOCK_TIMEOUT_S`` (10): how long to retry a DuckDB file locked by another process.
- ``SURVEYLAB_PORT`` (8866): port of ``surveylab serve``.
- ``SURVEYLAB_API_PORT`` (8867): port of the HTTP API (``surveylab api``).
- ``SURVEYLAB_ALLOWED_HOSTS``: host names the servers answer to besides 127.0.0.1 and localhost
  (comma-separated); a request with any other ``Host`` header is refused.
- ``SURVEYLAB_CORS_ORIGINS``: origins allowed to call the HTTP API from a browser
  (comma-separated); none by default (CORS off).
- ``SURVEYLAB_API_LOGIN_PER_MINUTE`` (10): login attempts the HTTP API accepts per client address
  and minute.
- ``SURVEYLAB_FORWARDED_ALLOW_IPS``: addresses of reverse proxies whose ``X-Forwarded-For`` the
  HTTP API trusts for the client address (comma-separated); none by default.
"""

from __future__ import annotations

import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from surveylab.hosts import DEFAULT_ALLOWED_HOSTS, parse_host_list

_ABOVE_PACKAGE = Path(__file__).resolve().parent.parent
#: The repository checkout surveylab runs from (the folder holding ``pyproject.toml`` next to
#: the package, as in an editable install), or None when it is installed (``pip install .``).
CHECKOUT: Path | None = _ABOVE_PACKAGE if (_ABOVE_PACKAGE / "pyproject.toml").is_file() else None
MIN_SECRET_BYTES = 32


class ConfigError(RuntimeError):
    """Configuration that cannot work (names the variable)."""


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, got {value}")
    return value


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key_env: str | None = field(repr=False)
    access_minutes: int = 15
    refresh_hours: int = 8
    min_password_length: int = 12
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    max_upload_bytes: int = 50 * 1024 * 1024
    lock_timeout_s: int = 10
    port: int = 8866
    api_port: int = 8867
    allowed_hosts_env: str = ""
    cors_origins_env: str = ""
    api_login_per_minute: int = 10
    forwarded_allow_ips_env: str = ""
    #: PostgreSQL connections a long-lived server keeps open (0: one per unit of work)
    db_pool_size: int = 0
    jwt_algorithm: str = "HS256"
    jwt_issuer: str = "surveylab"
    jwt_audience: str = "surveylab"

    @property
    def is_embedded(self) -> bool:
        return self.database_url.startswith("duckdb")

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def allowed_hosts(self) -> tuple[str, ...]:
        """Host names the servers answer to [lower-case text, no port]: 127.0.0.1, localhost
        and those of ``SURVEYLAB_ALLOWED_HOSTS``."""
        extra = parse_host_list(self.allowed_hosts_env)
        return (*DEFAULT_ALLOWED_HOSTS, *(h for h in extra if h not in DEFAULT_ALLOWED_HOSTS))

    @property
    def cors_origins(self) -> tuple[str, ...]:
        """Origins allowed to call the HTTP API from a browser (``SURVEYLAB_CORS_ORIGINS``);
        empty: CORS off."""
        return tuple(o.strip().rstrip("/") for o in self.cors_origins_env.split(",") if o.strip())

    @property
    def forwarded_allow_ips(self) -> tuple[str, ...]:
        """Reverse proxies trusted for ``X-Forwarded-For`` (``SURVEYLAB_FORWARDED_ALLOW_IPS``)."""
        return tuple(a.strip() for a in self.forwarded_allow_ips_env.split(",") if a.strip())

    def secret_key(self) -> str:
        """The JWT secret. Embedded mode generates one under the data dir on first use (mode 600).

        With PostgreSQL a configured secret is required.
        """
        if self.secret_key_env:
            if len(self.secret_key_env.encode()) < MIN_SECRET_BYTES:
                raise ConfigError(f"SURVEYLAB_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes")
            return self.secret_key_env
        if not self.is_embedded:
            raise ConfigError(
                "SURVEYLAB_SECRET_KEY is required with a PostgreSQL database "
                f"(at least {MIN_SECRET_BYTES} bytes)"
            )
        path = self.data_dir / "secret.key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise ConfigError(f"{path} must be readable by its owner only (mode {oct(mode)})")
        key = path.read_text().strip()
        if len(key.encode()) < MIN_SECRET_BYTES:
            raise ConfigError(f"{path} holds a secret shorter than {MIN_SECRET_BYTES} bytes")
        return key


def default_data_dir(env: dict[str, str], checkout: Path | None = CHECKOUT) -> Path:
    """The data folder when ``SURVEYLAB_DATA_DIR`` is not set.

    Parameters
    ----------
    env : dict of str to str
        The environment [variable -> text].
    checkout : Path or None, optional
        The repository checkout surveylab runs from; default :data:`CHECKOUT`.

    Returns
    -------
    Path
        ``data/`` in the checkout; for an installed surveylab (no checkout: its package folder
        is no place for data) ``surveylab`` in the user's data folder, ``$XDG_DATA_HOME``
        (default ``~/.local/share``; a relative one is ignored, as the XDG Base Directory
        Specification says), the same from any working directory.
    """
    if checkout is not None:
        return checkout / "data"
    base = Path(env.get("XDG_DATA_HOME") or "")
    if not base.is_absolute():  # unset, empty or relative: the specification's default
        base = Path.home() / ".local" / "share"
    return base / "surveylab"


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read settings from the environment (or the mapping given, for tests)."""
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("SURVEYLAB_DATA_DIR") or default_data_dir(env)).resolve()
    url = env.get("SURVEYLAB_DATABASE_URL") or f"duckdb:///{data_dir / 'surveylab.duckdb'}"
    if not (url.startswith("duckdb") or url.startswith("postgresql")):
        raise ConfigError(
            "SURVEYLAB_DATABASE_URL must start with duckdb:/// or postgresql+psycopg://"
        )
    return Settings(
        data_dir=data_dir,
        database_url=url,
        secret_key_env=env.get("SURVEYLAB_SECRET_KEY") or None,
        access_minutes=_int(env, "SURVEYLAB_ACCESS_MINUTES", 15),
        refresh_hours=_int(env, "SURVEYLAB_REFRESH_HOURS", 8),
        min_password_length=_int(env, "SURVEYLAB_MIN_PASSWORD_LENGTH", 12),
        login_max_failures=_int(env, "SURVEYLAB_LOGIN_MAX_FAILURES", 5),
        login_lock_minutes=_int(env, "SURVEYLAB_LOGIN_LOCK_MINUTES", 15),
        max_upload_bytes=_int(env, "SURVEYLAB_MAX_UPLOAD_MB", 50) * 1024 * 1024,
        lock_timeout_s=_int(env, "SURVEYLAB_LOCK_TIMEOUT_S", 10),
        port=_int(env, "SURVEYLAB_PORT", 8866),
        api_port=_int(env, "SURVEYLAB_API_PORT", 8867),
        allowed_hosts_env=env.get("SURVEYLAB_ALLOWED_HOSTS", ""),
        cors_origins_env=env.get("SURVEYLAB_CORS_ORIGINS", ""),
        api_login_per_minute=_int(env, "SURVEYLAB_API_LOGIN_PER_MINUTE", 10),
        forwarded_allow_ips_env=env.get("SURVEYLAB_FORWARDED_ALLOW_IPS", ""),
    )
