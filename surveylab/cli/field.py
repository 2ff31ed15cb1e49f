"""``surveylab import-field``: a whole field's survey files from a manifest or a folder."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from surveylab.cli._common import add_json, print_json, session

if TYPE_CHECKING:
    from surveylab.services.field import FieldOutcome, FieldSummary


def register(sub) -> None:
    p = sub.add_parser(
        "import-field",
        help="import a field's survey files from a manifest or a folder (wells, wellbores "
        "and runs created as needed; resumes where it stopped)",
    )
    p.add_argument(
        "source",
        metavar="FOLDER|MANIFEST.csv",
        help="a manifest (file, well, wellbore, run_number, run_name, run_type, optional "
        "header fields), a folder holding manifest.csv, or a folder laid out as "
        "WELL/[WELLBORE/]RUN.ext",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="writers that parse and store the files of different wells side by side "
        "(default: the CPUs available; 1: one after another in this process)",
    )
    add_json(p)
    p.set_defaults(func=_import_field)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _line(o: FieldOutcome) -> str:
    """One file's outcome in words."""
    if o.outcome == "imported":
        return f"{o.file}: imported as revision {o.revision} of run {o.run} ({o.stations} stations)"
    if o.outcome == "duplicate":
        return f"{o.file}: duplicate, {o.reason} (run {o.run})"
    return f"{o.where()}: refused: {o.reason}"


def _import_field(args) -> int:
    from surveylab.cli import CliError

    if args.workers is not None and args.workers < 1:
        raise CliError(f"--workers must be 1 or more, got {args.workers}")
    s = session()
    bar: Any = None
    if not args.json and _is_terminal(sys.stderr):
        from tqdm import tqdm

        bar = tqdm(total=0, unit="file", desc="import-field", file=sys.stderr, leave=False)

    def progress(outcome: FieldOutcome, done: int, total: int) -> None:
        if bar is not None:
            if bar.total != total:
                bar.total = total
            bar.update(1)
            if outcome.outcome == "refused":
                bar.write(_line(outcome), file=sys.stderr)
        elif not args.json:
            print(_line(outcome), flush=True)

    try:
        summary = s.import_field(args.source, workers=args.workers, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        print_json(summary.to_dict())
    else:
        _print_summary(summary)
    return 1 if summary.refused else 0


def _print_summary(summary: FieldSummary) -> None:
    d = summary.to_dict()["counts"]
    print(
        f"{summary.source}: {d['imported']} imported, {d['duplicates']} duplicates, "
        f"{d['refused']} refused, of {d['files']} files; created {d['wells_created']} wells, "
        f"{d['wellbores_created']} wellbores, {d['runs_created']} runs "
        f"({summary.seconds:.1f} s, {summary.workers} workers)"
    )
    if summary.refused:
        print("refused (nothing stored for these):")
        for o in summary.refused:
            print(f"  {o.where()}: {o.reason}")
