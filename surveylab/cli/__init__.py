"""The ``surveylab`` command line.

Conventions for every command:
- ``--json`` prints machine-readable output on stdout;
- a failure exits non-zero with one line ``error: ...`` on stderr (naming the file, line or field
  where there is one), never a traceback;
- a command that opens the database first warns (``warning: ...`` on stderr) about a data
  folder, database file or secret that group or others can reach.

Each command lives in a module of this package exposing ``register(subparsers)``; the module adds
its parser and sets ``func=handler`` where ``handler(args) -> int``. Handlers raise
:class:`CliError` (or any of the package's own error types) for the ``error:`` line.
"""

from __future__ import annotations

import argparse
import importlib
import sys

#: Command modules, in the order ``--help`` lists them.
COMMAND_MODULES = (
    "surveylab.cli.compute",
    "surveylab.cli.inspect",
    "surveylab.cli.uncertainty",
    "surveylab.cli.export",
    "surveylab.cli.database",
    "surveylab.cli.backup",
    "surveylab.cli.users",
    "surveylab.cli.runs",
    "surveylab.cli.field",
    "surveylab.cli.qc",
    "surveylab.cli.wellbores",
    "surveylab.cli.reports",
    "surveylab.cli.serve",
    "surveylab.cli.api",
    "surveylab.cli.doctor",
)


#: Commands that work on files alone and never open the database.
OFFLINE_COMMANDS = frozenset({"compute", "inspect", "export", "uncertainty", "clearance"})


def warn_about_open_files() -> None:
    """One ``warning: ...`` line on stderr for each of the data folder, the DuckDB file and the
    secret that group or others can reach, naming the file and the ``chmod`` that fixes it.
    Quiet when the configuration cannot be read (the command then says why)."""
    from surveylab.config import ConfigError, load_settings

    try:
        settings = load_settings()
    except ConfigError:
        return
    for line in settings.insecure_files():
        print(f"warning: {line}", file=sys.stderr)


class CliError(Exception):
    """An expected failure: printed as one ``error: ...`` line, exit status ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="surveylab",
        description="surveylab: wellbore directional surveys (import, compute, store, report).",
    )
    from surveylab._version import __version__

    parser.add_argument("--version", action="version", version=f"surveylab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a command module not written yet
            if exc.name == name:
                continue
            raise
        module.register(sub)
    return parser


def _expected_errors() -> tuple[type[BaseException], ...]:
    """Error types whose message is meant for the user (no traceback)."""
    kinds: list[type[BaseException]] = [CliError]
    for mod, attr in (
        ("surveylab.config", "ConfigError"),
        ("surveylab.calc", "SurveyInputError"),
        ("surveylab.parsers", "SurveyFileError"),
        ("surveylab.auth", "AuthError"),
        ("surveylab.services", "ServiceError"),
        ("surveylab.db", "DatabaseBusyError"),
        ("surveylab.units", "UnitError"),
    ):
        try:
            kinds.append(getattr(importlib.import_module(mod), attr))
        except (ImportError, AttributeError):
            pass
    return tuple(kinds)


def _print_problems(exc: BaseException) -> None:
    """A refusal with several problems (``SurveyFileError.problems``): one line each, after the
    error line, and how many more were found than listed."""
    problems = list(getattr(exc, "problems", None) or [])
    more = int(getattr(exc, "more", 0) or 0)
    if len(problems) + more <= 1:
        return
    for p in problems:
        print(f"  {p}", file=sys.stderr)
    if more:
        print(f"  ... and {more} more problem{'s' if more > 1 else ''} not listed", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    if args.command not in OFFLINE_COMMANDS:
        warn_about_open_files()
    try:
        return int(args.func(args) or 0)
    except _expected_errors() as exc:
        msg = str(exc).replace("\n", " ")
        print(f"error: {msg}", file=sys.stderr)
        _print_problems(exc)
        return getattr(exc, "code", 1) if isinstance(getattr(exc, "code", 1), int) else 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # last resort: still one line, no traceback
        print(f"error: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
