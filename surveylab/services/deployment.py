"""Checks of a deployment's database, schema, secret and data files (``surveylab doctor``).

Each check reads and changes nothing: a missing DuckDB file is reported, not created; a
secret is checked, not generated. The checks of the dashboards' exposure (allowed hosts, TLS)
are :func:`surveylab.server.hosts.exposure_checks`; chromium's is
:func:`surveylab.reports.chromium.chromium_check`.
"""

from __future__ import annotations

from surveylab import db
from surveylab.config import MIN_SECRET_BYTES, ConfigError, Settings, duckdb_path
from surveylab.models.checks import Check, CheckStatus

#: How long the database check waits for a DuckDB file another process holds [s].
PROBE_TIMEOUT_S = 3.0

_NEW_SECRET = "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"


def database_checks(settings: Settings, timeout_s: float = PROBE_TIMEOUT_S) -> list[Check]:
    """Whether the database answers, and whether its schema is the newest.

    Returns
    -------
    list of Check
        ``database`` and ``migrations`` (unchecked when the database does not answer).
    """
    backend = "DuckDB" if settings.is_embedded else "PostgreSQL"
    where = str(duckdb_path(settings.database_url) or _without_password(settings.database_url))
    try:
        revision = db.database_revision(settings, timeout_s)
    except FileNotFoundError:
        return [
            Check.problem(
                "database",
                f"{backend} file {where} does not exist",
                "surveylab db upgrade (creates and migrates it), or set SURVEYLAB_DATABASE_URL "
                "/ SURVEYLAB_DATA_DIR to the existing database",
            ),
            Check("migrations", CheckStatus.UNCHECKED, "no database to check"),
        ]
    except Exception as exc:  # the driver's own error says what failed (host, password, ...)
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        fix = (
            "stop the process holding the file, or move the team to PostgreSQL"
            if isinstance(exc, db.DatabaseBusyError)
            else "check SURVEYLAB_DATABASE_URL (host, port, user, password, database name) and "
            "that PostgreSQL runs and accepts this host (pg_hba.conf)"
        )
        return [
            Check.problem("database", f"{backend} at {where} does not answer: {reason}", fix),
            Check("migrations", CheckStatus.UNCHECKED, "the database does not answer"),
        ]
    checks = [Check.ok("database", f"{backend} at {where} answers")]
    head = db.head_revision()
    if revision == head:
        checks.append(Check.ok("migrations", f"schema at the newest revision ({head})"))
    elif revision is None:
        checks.append(
            Check.problem("migrations", "the database has no schema", "surveylab db upgrade")
        )
    elif revision in db.revisions():
        checks.append(
            Check.problem(
                "migrations",
                f"schema at revision {revision}, this surveylab needs {head}",
                "surveylab backup /var/backups/surveylab/ && surveylab db upgrade",
            )
        )
    else:
        checks.append(
            Check.problem(
                "migrations",
                f"schema at revision {revision}, unknown to this surveylab (a newer one "
                "migrated it)",
                "install the surveylab version the rest of the deployment runs",
            )
        )
    return checks


def _without_password(url: str) -> str:
    """A database URL with its password replaced by ``***``."""
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, user_pw = head.partition("//")
    user = user_pw.split(":", 1)[0]
    return f"{scheme}//{user}:***@{tail}"


def secret_check(settings: Settings) -> Check:
    """Whether the JWT signing secret is set, long enough and private."""
    if settings.secret_key_env:
        if len(settings.secret_key_env.encode()) < MIN_SECRET_BYTES:
            return Check.problem(
                "secret",
                f"SURVEYLAB_SECRET_KEY is shorter than {MIN_SECRET_BYTES} bytes",
                f"set SURVEYLAB_SECRET_KEY to the output of {_NEW_SECRET}",
            )
        return Check.ok("secret", "SURVEYLAB_SECRET_KEY is set")
    if settings.secret_key_file is None and settings.is_embedded:
        if not settings.secret_path.exists():
            return Check.ok(
                "secret", f"{settings.secret_path} will be generated on first use (mode 600)"
            )
    elif settings.secret_key_file is None:
        return Check.problem(
            "secret",
            "no signing secret: PostgreSQL needs SURVEYLAB_SECRET_KEY or SURVEYLAB_SECRET_KEY_FILE",
            f"umask 077 && {_NEW_SECRET} > /etc/surveylab/secret.key, then "
            "SURVEYLAB_SECRET_KEY_FILE=/etc/surveylab/secret.key",
        )
    try:
        settings.secret_key()
    except ConfigError as exc:
        return Check.problem("secret", str(exc), _secret_fix(str(exc)))
    source = settings.secret_key_file or settings.secret_path
    return Check.ok("secret", f"{source} holds the secret, readable by its owner only")


def _secret_fix(message: str) -> str:
    if "chmod" in message:
        return message.rsplit(": ", 1)[-1]
    return f"write a new secret into the file: {_NEW_SECRET}"


def file_mode_checks(settings: Settings) -> list[Check]:
    """Whether group or others can reach the data folder, the DuckDB file or the secret."""
    problems = settings.insecure_files()
    if not problems:
        return [Check.ok("file modes", "data folder, database file and secret are private")]
    return [
        Check.problem(
            "file modes", line.rsplit(": chmod", 1)[0], "chmod" + line.rsplit(": chmod", 1)[1]
        )
        for line in problems
    ]


def deployment_checks(settings: Settings, timeout_s: float = PROBE_TIMEOUT_S) -> list[Check]:
    """:func:`database_checks`, :func:`secret_check` and :func:`file_mode_checks`, in order."""
    return [
        *database_checks(settings, timeout_s),
        secret_check(settings),
        *file_mode_checks(settings),
    ]
