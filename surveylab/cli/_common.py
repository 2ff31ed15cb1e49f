"""Helpers shared by the CLI commands: output, the acting session, reading stdin secrets."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TextIO
from uuid import UUID

from surveylab.auth import AuthenticationError

if TYPE_CHECKING:
    from surveylab.session import Session

#: The error of every command acting as a user when no token is found.
NOT_AUTHENTICATED = "not authenticated (set SURVEYLAB_TOKEN: see 'surveylab login')"


def add_json(parser: argparse.ArgumentParser) -> None:
    """Add the ``--json`` flag (machine-readable output on stdout)."""
    parser.add_argument("--json", action="store_true", help="machine-readable output on stdout")


def _default(o: Any) -> Any:
    if isinstance(o, (datetime, date)):
        return o.isoformat()
    if isinstance(o, UUID):
        return str(o)
    if hasattr(o, "item"):
        return o.item()
    return str(o)


def print_json(data: Any) -> None:
    """Print ``data`` as JSON (datetimes as ISO 8601 text, UUIDs as text)."""
    print(json.dumps(data, default=_default, indent=2, allow_nan=False))


def upload_limit() -> int:
    """The largest survey file accepted [bytes] (``SURVEYLAB_MAX_UPLOAD_MB``)."""
    from surveylab.config import load_settings

    return load_settings().max_upload_bytes


def session() -> Session:
    """The session acting as the user of ``SURVEYLAB_TOKEN`` (or ``SURVEYLAB_TOKEN_FILE``).

    Returns
    -------
    Session
        An authenticated session (the token was checked against the database just now).

    Raises
    ------
    AuthenticationError
        ``"not authenticated ..."``: no token in the environment, or the token was refused.
    """
    from surveylab.session import Session, token_from_environment

    token = token_from_environment()
    if not token:
        raise AuthenticationError(NOT_AUTHENTICATED)
    s = Session(token)
    s.actor  # noqa: B018 - authenticate now, for a clear error before any work
    return s


def read_secret_line(prompt_name: str = "password") -> str:
    """One line from stdin, never echoed (a prompt without echo on a terminal), never logged.

    Parameters
    ----------
    prompt_name : str, optional
        What is read, for the prompt and the error [text]. Default ``"password"``.

    Returns
    -------
    str
        The line without its line ending [text]; other whitespace is kept.

    Raises
    ------
    CliError
        Standard input is closed or empty.
    """
    from surveylab.cli import CliError

    stream = sys.stdin
    if stream is None:
        raise CliError(f"no {prompt_name} on standard input")
    if _is_terminal(stream):
        line = getpass.getpass(f"{prompt_name}: ")
    else:
        line = stream.readline()
        if not line:
            raise CliError(f"no {prompt_name} on standard input (give it as one line)")
    return line.rstrip("\r\n")


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A plain aligned text table."""
    if not rows:
        return "(none)"
    text = [[("" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
    widths = [max(len(c), *(len(t[i]) for t in text)) for i, c in enumerate(columns)]
    out = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    out += ["  ".join(v.ljust(w) for v, w in zip(t, widths, strict=True)) for t in text]
    return "\n".join(out)
