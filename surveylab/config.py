"""Configuration in one place: environment variables, with documented defaults.

- ``SURVEYLAB_DATA_DIR``: folder for the embedded database, the generated secret and reports
  (default :func:`default_data_dir`: ``<repo>/data`` in a checkout, else
  ``$XDG_DATA_HOME/surveylab``).
- ``SURVEYLAB_DATABASE_URL``: SQLAlchemy URL, ``duckdb:///path.duckdb`` or
  ``postgresql+psycopg://user@host:port/db`` (default: ``surveylab.duckdb`` in the data dir).
- ``SURVEYLAB_SECRET_KEY``: JWT signing secret, at least 32 bytes. Required with PostgreSQL; in
  the embedded mode generated once into ``<data dir>/secret.key`` with mode 600.
- ``SURVEYLAB_SECRET_KEY_FILE``: instead of ``SURVEYLAB_SECRET_KEY``, a file holding it, readable
  by its owner only (a container secret, systemd's ``LoadCredential=``).
- ``SURVEYLAB_PUBLIC_URL`` (none): the address people open when a TLS reverse proxy serves the
  dashboards beyond this machine, e.g. ``https://dash.example.com`` (``surveylab doctor``
  checks it against ``SURVEYLAB_ALLOWED_HOSTS``).
- ``SURVEYLAB_TOKEN`` / ``SURVEYLAB_TOKEN_FILE``: the access token used by the CLI, notebooks and
  scheduled reports (a token file must be readable by its owner only).
- ``SURVEYLAB_ACCESS_MINUTES`` (15), ``SURVEYLAB_REFRESH_HOURS`` (8): token lifetimes.
- ``SURVEYLAB_SESSION_DAYS`` (7): absolute lifetime of a login; refreshing never goes beyond it.
- ``SURVEYLAB_MIN_PASSWORD_LENGTH`` (12).
- ``SURVEYLAB_LOGIN_MAX_FAILURES`` (5) and ``SURVEYLAB_LOGIN_LOCK_MINUTES`` (15): failed logins
  for a username from one client address within the window that lock that username for that
  address, and for how long.
- ``SURVEYLAB_LOGIN_MAX_FAILURES_PER_USER`` (20): failed logins for a username from all
  addresses together within the window that lock it for every address but the command line.
- ``SURVEYLAB_MAX_UPLOAD_MB`` (50): largest survey file accepted.
- ``SURVEYLAB_LOCK_TIMEOUT_S`` (10): how long to retry a DuckDB file locked by another process.
- ``SURVEYLAB_PORT`` (8866): port of ``surveylab serve``.
- ``SURVEYLAB_KERNEL_CONNECT_S`` (60): a dashboard kernel whose page has not connected for
  this long [s] is shut down.
- ``SURVEYLAB_KERNEL_IDLE_MIN`` (30): a dashboard kernel without widget traffic for this long
  [min, decimals allowed] is shut down.
- ``SURVEYLAB_MAX_KERNELS`` (16): most dashboard kernels at once, pre-heated ones included.
- ``SURVEYLAB_ALLOWED_HOSTS`` (none): comma-separated host names (``name`` or ``name:port``)
  the servers answer besides 127.0.0.1 and localhost (see :mod:`surveylab.server.hosts`).
- ``SURVEYLAB_QC_LIMITS``: raw-sensor QC limits per tool, JSON: ``{"TOOL": {"btotal_nt": 350,
  "dip_deg": 0.3, "gtotal_g": 0.003, "inc_deg": 0.1, "azi_deg": 0.5}}``, TOOL being a run type
  (MWD, Gyro, GTL) or the tool a file names (any case); a field left out keeps its default
  (300 nT, 0.25 deg, 0.0025 g, 0.1 deg, 0.5 deg).
- ``SURVEYLAB_API_PORT`` (8867): port of the HTTP API (``surveylab api``).
- ``SURVEYLAB_CORS_ORIGINS``: origins allowed to call the HTTP API from a browser
  (comma-separated); none by default (CORS off).
- ``SURVEYLAB_API_LOGIN_PER_MINUTE`` (10): login attempts the HTTP API accepts per client address
  and minute.
- ``SURVEYLAB_FORWARDED_ALLOW_IPS``: addresses of reverse proxies whose ``X-Forwarded-For`` the
  HTTP API trusts for the client address (comma-separated); none by default.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

_ABOVE_PACKAGE = Path(__file__).resolve().parent.parent
#: The repository checkout surveylab runs from (the folder holding ``pyproject.toml`` next to
#: the package, as in an editable install), or None when it is installed (``pip install .``).
CHECKOUT: Path | None = _ABOVE_PACKAGE if (_ABOVE_PACKAGE / "pyproject.toml").is_file() else None
MIN_SECRET_BYTES = 32


class ConfigError(RuntimeError):
    """Configuration that cannot work (names the variable)."""


#: Mode of the folders surveylab creates for its data: the owner only.
PRIVATE_DIR_MODE = 0o700
#: Mode of the files holding data or secrets (the database file, the secret): the owner only.
PRIVATE_FILE_MODE = 0o600
_UMASK_LOCK = threading.Lock()


@contextmanager
def private_umask() -> Iterator[None]:
    """Files and folders created inside the block are the owner's only (umask 077), whatever
    the process's umask; it is restored after. For files created by a library that takes no
    mode (DuckDB creating its database file). The umask belongs to the whole process: keep the
    block short (threads of this process that create files meanwhile get private ones too)."""
    with _UMASK_LOCK:
        old = os.umask(0o077)
        try:
            yield
        finally:
            os.umask(old)


def ensure_private_dir(path: Path) -> Path:
    """Create the folder ``path`` (and missing parents) if it does not exist; ``path`` itself is
    created with mode 700 whatever the umask (the parents get the usual mode). An existing
    folder is left as it is (:func:`insecure_files` reports a too open one).

    Returns
    -------
    Path
        ``path``.
    """
    if not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            path.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:  # made meanwhile by another process
            return path
        os.chmod(path, PRIVATE_DIR_MODE)
    return path


def _open_to_others(path: Path) -> int | None:
    """The permission bits of ``path`` when group or others have any, else None (also when
    it does not exist)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None
    return mode if mode & 0o077 else None


def duckdb_path(database_url: str) -> Path | None:
    """The database file of a ``duckdb:///...`` URL, or None (PostgreSQL, in-memory)."""
    if not database_url.startswith("duckdb") or ":///" not in database_url:
        return None
    path = database_url.split(":///", 1)[1].split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


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


def _number(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if not value > 0 or value == float("inf"):
        raise ConfigError(f"{name} must be a positive number, got {raw!r}")
    return value


def _names(env: dict[str, str], name: str) -> tuple[str, ...]:
    """A comma-separated list; blanks around names and empty entries dropped."""
    return tuple(part.strip() for part in env.get(name, "").split(",") if part.strip())


#: The limits a tool's raw-sensor QC entry in ``SURVEYLAB_QC_LIMITS`` may set.
QC_LIMIT_FIELDS = ("btotal_nt", "dip_deg", "gtotal_g", "inc_deg", "azi_deg")


def _qc_limits(env: dict[str, str]) -> dict[str, dict[str, float]]:
    """``SURVEYLAB_QC_LIMITS`` read and checked: tool (lower case) -> limit -> value."""
    raw = env.get("SURVEYLAB_QC_LIMITS") or ""
    if not raw.strip():
        return {}
    name = "SURVEYLAB_QC_LIMITS"
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{name} must be a JSON object of tools, got {type(data).__name__}")
    out: dict[str, dict[str, float]] = {}
    for tool, limits in data.items():
        if not isinstance(limits, dict):
            raise ConfigError(f"{name}: the limits of {tool!r} must be a JSON object")
        checked: dict[str, float] = {}
        for key, value in limits.items():
            if key not in QC_LIMIT_FIELDS:
                allowed = ", ".join(QC_LIMIT_FIELDS)
                raise ConfigError(f"{name}: {tool!r} has unknown limit {key!r} ({allowed})")
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if not ok or not math.isfinite(value) or value < 0:
                raise ConfigError(
                    f"{name}: {tool!r} {key} must be a non-negative number, got {value!r}"
                )
            checked[key] = float(value)
        out[str(tool).strip().lower()] = checked
    return out


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key_env: str | None = field(repr=False)
    access_minutes: int = 15
    refresh_hours: int = 8
    session_days: int = 7
    min_password_length: int = 12
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    login_max_failures_per_user: int = 20
    max_upload_bytes: int = 50 * 1024 * 1024
    lock_timeout_s: int = 10
    port: int = 8866
    kernel_connect_s: float = 60.0
    kernel_idle_min: float = 30.0
    max_kernels: int = 16
    allowed_hosts: tuple[str, ...] = ()
    api_port: int = 8867
    cors_origins_env: str = ""
    api_login_per_minute: int = 10
    forwarded_allow_ips_env: str = ""
    #: PostgreSQL connections a long-lived server keeps open (0: one per unit of work)
    db_pool_size: int = 0
    secret_key_file: Path | None = None
    public_url: str | None = None
    jwt_algorithm: str = "HS256"
    jwt_issuer: str = "surveylab"
    jwt_audience: str = "surveylab"
    #: Raw-sensor QC limits per tool (``SURVEYLAB_QC_LIMITS``): tool -> limit -> value.
    qc_limits: dict[str, dict[str, float]] = field(default_factory=dict, hash=False)

    @property
    def is_embedded(self) -> bool:
        return self.database_url.startswith("duckdb")

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def secret_path(self) -> Path:
        """Where the embedded mode keeps its generated secret."""
        return self.data_dir / "secret.key"

    def insecure_files(self) -> list[str]:
        """Warnings for the data folder, the DuckDB file (and its write-ahead log) and the
        secret file when group or others have any access to them, each naming the file and
        the ``chmod`` that fixes it. Files that do not exist are not mentioned.

        Returns
        -------
        list of str
            One line per file, e.g. ``"data/surveylab.duckdb is open to group or others
            (mode 0o644): chmod 600 data/surveylab.duckdb"``; empty when all is private.
        """
        checks: list[tuple[Path, int]] = []
        database = duckdb_path(self.database_url)
        if self.is_embedded:
            checks.append((self.data_dir, PRIVATE_DIR_MODE))
        if database is not None:
            if database.parent != self.data_dir:
                checks.append((database.parent, PRIVATE_DIR_MODE))
            checks.append((database, PRIVATE_FILE_MODE))
            checks.append((database.with_name(database.name + ".wal"), PRIVATE_FILE_MODE))
        if self.secret_key_file is not None:
            checks.append((self.secret_key_file, PRIVATE_FILE_MODE))
        elif not self.secret_key_env:
            checks.append((self.secret_path, PRIVATE_FILE_MODE))
        out = []
        for path, wanted in checks:
            mode = _open_to_others(path)
            if mode is not None:
                out.append(
                    f"{path} is open to group or others (mode {oct(mode)}): chmod {wanted:o} {path}"
                )
        return out

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
        if self.secret_key_file is not None:
            return _read_secret_file(self.secret_key_file, "SURVEYLAB_SECRET_KEY_FILE")
        if not self.is_embedded:
            raise ConfigError(
                "SURVEYLAB_SECRET_KEY is required with a PostgreSQL database (at least "
                f"{MIN_SECRET_BYTES} bytes; or SURVEYLAB_SECRET_KEY_FILE naming a file with it)"
            )
        path = self.secret_path
        if not path.exists():
            ensure_private_dir(self.data_dir)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
            except FileExistsError:  # written meanwhile by another process
                pass
            else:
                with os.fdopen(fd, "w") as fh:
                    fh.write(secrets.token_urlsafe(48))
        return _read_secret_file(path, None)


def _read_secret_file(path: Path, variable: str | None) -> str:
    """The secret in ``path`` (its text without surrounding blanks), checked: the file exists,
    group and others have no access to it, the secret has at least :data:`MIN_SECRET_BYTES`.

    Raises
    ------
    ConfigError
        Naming the file (and ``variable`` when it names the file) and the fix.
    """
    where = f"{variable}: {path}" if variable else str(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read the secret ({exc.strerror})") from None
    if mode & 0o077:
        raise ConfigError(
            f"{where} must be readable by its owner only (mode {oct(mode)}): chmod 600 {path}"
        )
    key = path.read_text().strip()
    if len(key.encode()) < MIN_SECRET_BYTES:
        raise ConfigError(f"{where} holds a secret shorter than {MIN_SECRET_BYTES} bytes")
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
    if env.get("SURVEYLAB_SECRET_KEY") and env.get("SURVEYLAB_SECRET_KEY_FILE"):
        raise ConfigError("set one of SURVEYLAB_SECRET_KEY and SURVEYLAB_SECRET_KEY_FILE, not both")
    secret_file = env.get("SURVEYLAB_SECRET_KEY_FILE") or None
    return Settings(
        data_dir=data_dir,
        database_url=url,
        secret_key_env=env.get("SURVEYLAB_SECRET_KEY") or None,
        access_minutes=_int(env, "SURVEYLAB_ACCESS_MINUTES", 15),
        refresh_hours=_int(env, "SURVEYLAB_REFRESH_HOURS", 8),
        session_days=_int(env, "SURVEYLAB_SESSION_DAYS", 7),
        min_password_length=_int(env, "SURVEYLAB_MIN_PASSWORD_LENGTH", 12),
        login_max_failures=_int(env, "SURVEYLAB_LOGIN_MAX_FAILURES", 5),
        login_lock_minutes=_int(env, "SURVEYLAB_LOGIN_LOCK_MINUTES", 15),
        login_max_failures_per_user=_int(env, "SURVEYLAB_LOGIN_MAX_FAILURES_PER_USER", 20),
        max_upload_bytes=_int(env, "SURVEYLAB_MAX_UPLOAD_MB", 50) * 1024 * 1024,
        lock_timeout_s=_int(env, "SURVEYLAB_LOCK_TIMEOUT_S", 10),
        port=_int(env, "SURVEYLAB_PORT", 8866),
        kernel_connect_s=_number(env, "SURVEYLAB_KERNEL_CONNECT_S", 60.0),
        kernel_idle_min=_number(env, "SURVEYLAB_KERNEL_IDLE_MIN", 30.0),
        max_kernels=_int(env, "SURVEYLAB_MAX_KERNELS", 16),
        allowed_hosts=_names(env, "SURVEYLAB_ALLOWED_HOSTS"),
        qc_limits=_qc_limits(env),
        api_port=_int(env, "SURVEYLAB_API_PORT", 8867),
        cors_origins_env=env.get("SURVEYLAB_CORS_ORIGINS", ""),
        api_login_per_minute=_int(env, "SURVEYLAB_API_LOGIN_PER_MINUTE", 10),
        forwarded_allow_ips_env=env.get("SURVEYLAB_FORWARDED_ALLOW_IPS", ""),
        secret_key_file=Path(secret_file) if secret_file else None,
        public_url=env.get("SURVEYLAB_PUBLIC_URL") or None,
    )
