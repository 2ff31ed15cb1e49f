"""``surveylab report``, ``report-well`` and ``report-batch``: for cron or any scheduler.

The token comes from SURVEYLAB_TOKEN or SURVEYLAB_TOKEN_FILE (owner-only), never from a
notebook parameter.
"""

from __future__ import annotations

from datetime import UTC, datetime

from surveylab.cli._common import add_json, print_json, session


def register(sub) -> None:
    r = sub.add_parser("report", help="render the survey report of a run (HTML or PDF)")
    r.add_argument("run", help="run number or id")
    r.add_argument("--format", choices=["html", "pdf"], default="html")
    r.add_argument("--output", required=True, help="output folder")
    r.add_argument("--revision", type=int, help="survey revision (default: current)")
    r.add_argument("--units", choices=["m", "ft", "usft"], default="m")
    r.add_argument("--vs-azimuth", type=float, help="vertical-section azimuth [deg]")
    add_json(r)
    r.set_defaults(func=_report)

    w = sub.add_parser("report-well", help="render the well report: every run of a well")
    w.add_argument("well", help="well name or id")
    w.add_argument("--format", choices=["html", "pdf"], default="html")
    w.add_argument("--output", required=True, help="output folder")
    w.add_argument("--units", choices=["m", "ft", "usft"], default="m")
    w.add_argument("--vs-azimuth", type=float, help="vertical-section azimuth [deg]")
    add_json(w)
    w.set_defaults(func=_report_well)

    b = sub.add_parser("report-batch", help="render reports of every run changed since a time")
    b.add_argument("--changed-since", required=True, help="ISO 8601 date or date-time (UTC)")
    b.add_argument("--output", required=True)
    b.add_argument("--format", choices=["html", "pdf"], default="html")
    b.add_argument("--units", choices=["m", "ft", "usft"], default="m")
    b.add_argument(
        "--workers",
        type=int,
        help="report kernels working at once (default: the processor count, at most 4)",
    )
    b.add_argument(
        "--no-progress", action="store_true", help="no progress bar (none is shown off a terminal)"
    )
    add_json(b)
    b.set_defaults(func=_batch)


def _print_rendered(args, out) -> int:
    """The rendered file's path (``--json``: path and report id)."""
    if args.json:
        print_json({"file": str(out.path), "report_id": str(out.record.id)})
    else:
        print(out.path)
    return 0


def _report(args) -> int:
    from surveylab.reports.render import render_report

    s = session()
    out = render_report(
        s,
        run=args.run,
        fmt=args.format,
        output_dir=args.output,
        revision=args.revision,
        units=args.units,
        vs_azimuth=args.vs_azimuth,
    )
    return _print_rendered(args, out)


def _report_well(args) -> int:
    from surveylab.reports.render import render_report

    s = session()
    out = render_report(
        s,
        kind="well",
        well=args.well,
        fmt=args.format,
        output_dir=args.output,
        units=args.units,
        vs_azimuth=args.vs_azimuth,
    )
    return _print_rendered(args, out)


def _parse_since(text: str) -> datetime:
    from surveylab.cli import CliError

    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--changed-since: cannot read {text!r} as an ISO 8601 date-time") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _batch(args) -> int:
    import sys

    from tqdm import tqdm

    from surveylab.cli import CliError
    from surveylab.reports.batch import render_batch

    if args.workers is not None and args.workers < 1:
        raise CliError("--workers must be at least 1")
    since = _parse_since(args.changed_since)
    s = session()
    runs = s.runs(changed_since=since)
    # a bar on a terminal only (tqdm's disable=None); each report's line goes above it
    bar = tqdm(
        total=len(runs),
        unit="report",
        file=sys.stderr,
        disable=True if args.no_progress else None,
        dynamic_ncols=True,
    )

    def progress(item) -> None:
        if item.ok and not args.json:
            bar.write(f"{item.run_number}: {item.path}", file=sys.stdout)
        elif not item.ok:
            bar.write(f"{item.run_number}: failed: {item.error}", file=sys.stderr)
        bar.update(1)

    with bar:
        items = render_batch(
            s,
            runs,
            fmt=args.format,
            output_dir=args.output,
            units=args.units,
            workers=args.workers,
            progress=progress,
        )
    done = [{"run": i.run_number, "file": str(i.path)} for i in items if i.ok]
    failed = [{"run": i.run_number, "error": i.error} for i in items if not i.ok]
    if args.json:
        print_json({"rendered": done, "failed": failed})
    if failed:
        names = ", ".join(i.run_number for i in items if not i.ok)
        raise CliError(f"{len(failed)} report(s) failed: {names}")
    return 0
