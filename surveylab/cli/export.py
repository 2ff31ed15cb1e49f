"""``surveylab export FILE --to csv|xlsx|las|witsml -o OUT``: convert a survey file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from surveylab.cli import CliError


def register(subparsers: Any) -> None:
    """Add the ``export`` command."""
    p = subparsers.add_parser("export", help="write a survey file as CSV, XLSX, LAS or WITSML")
    p.add_argument("file", help="survey file of any supported format")
    p.add_argument(
        "--to",
        dest="to",
        required=True,
        choices=("csv", "xlsx", "las", "witsml", "witsml14", "witsml20"),
        help="output format (witsml = 1.4.1.1)",
    )
    p.add_argument("-o", "--output", required=True, help="output file")
    p.add_argument(
        "--no-compute",
        action="store_true",
        help="write the file's own TVD/N/E instead of a minimum-curvature computation",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=handle)


def _trajectory(survey: Any) -> Any | None:
    """Compute positions with the calculation engine (None when it cannot)."""
    if survey.header.depth_unit is None:
        return None
    try:
        from surveylab.calc import compute_trajectory
    except ImportError:
        return None
    st = survey.stations
    if not bool(st["used"].all()):
        return None
    return compute_trajectory(
        st["md"].to_numpy(),
        st["inc"].to_numpy(),
        st["azi"].to_numpy(),
        depth_unit=survey.header.depth_unit,
        tie_on=survey.header.tie_on,
        vs_azimuth=survey.header.vs_azimuth,
    )


def handle(args: argparse.Namespace) -> int:
    """Read, optionally compute, write; exit 0 on success."""
    import json

    from surveylab.cli._common import upload_limit
    from surveylab.exporters import ExportError, export
    from surveylab.parsers import read_survey

    survey = read_survey(args.file, max_bytes=upload_limit())  # size checked before reading
    traj = None if args.no_compute else _trajectory(survey)
    try:
        data = export(survey, args.to, traj)
    except ExportError as exc:
        raise CliError(f"{survey.source_name}: {exc}") from None
    out = Path(args.output)
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from None
    if args.json:
        print(
            json.dumps(
                {
                    "output": str(out),
                    "format": args.to,
                    "bytes": len(data),
                    "stations": survey.station_count,
                    "computed": traj is not None,
                }
            )
        )
    else:
        print(f"wrote {out} ({args.to}, {survey.station_count} stations, {len(data)} bytes)")
    return 0
