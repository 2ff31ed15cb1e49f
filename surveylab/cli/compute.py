"""``surveylab compute FILE``: parse a survey file and print its computed station table."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from surveylab.cli import CliError
from surveylab.models import DepthUnit, TieOn

_JSON_KEYS = (
    "md",
    "inc",
    "azi",
    "tvd",
    "north",
    "east",
    "dls",
    "build_rate",
    "turn_rate",
    "toolface",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``compute`` command."""
    from surveylab.calc import METHODS

    p = subparsers.add_parser(
        "compute",
        help="compute a survey file's trajectory (minimum curvature by default)",
        description="Parse a survey file and print its station table: TVD, N, E, DLS, build, "
        "turn, toolface and vertical section. Lengths stay in the file's depth unit.",
    )
    p.add_argument("file", metavar="FILE", help="survey file (CSV with md, inc, azi at least)")
    p.add_argument(
        "--depth-unit",
        choices=[u.value for u in DepthUnit],
        help="depth unit when the file does not state it",
    )
    p.add_argument(
        "--tie-on",
        metavar="MD,INC,AZI,TVD,NORTH,EAST",
        help="tie-on point (default: the file's, else vertical from MD 0 assumed)",
    )
    p.add_argument("--vs-azimuth", type=float, metavar="DEG", help="vertical-section azimuth [deg]")
    p.add_argument(
        "--vs-origin", metavar="NORTH,EAST", help="vertical-section origin (default 0,0)"
    )
    p.add_argument(
        "--method",
        default="minimum_curvature",
        choices=METHODS,
        help="calculation method (default minimum_curvature)",
    )
    p.add_argument("--at-md", metavar="MD[,MD...]", help="add stations interpolated at these MDs")
    p.add_argument("--step", type=float, metavar="X", help="add stations every X of MD")
    p.add_argument("-o", "--output", metavar="OUT.csv|OUT.json", help="write the table to a file")
    p.add_argument("--json", action="store_true", help="print JSON on stdout")
    p.set_defaults(func=handle)


def _floats(text: str, count: int | None, option: str) -> list[float]:
    parts = [s.strip() for s in text.split(",")]
    try:
        values = [float(s) for s in parts]
    except ValueError:
        raise CliError(f"{option} {text!r}: expected comma-separated numbers") from None
    if count is not None and len(values) != count:
        raise CliError(f"{option} {text!r}: expected {count} numbers, got {len(values)}")
    if not all(math.isfinite(v) for v in values):
        raise CliError(f"{option} {text!r}: values must be finite numbers")
    return values


def _read_plain_csv(path: Path) -> tuple[pd.DataFrame, DepthUnit | None, TieOn | None, Any]:
    """Fallback reader until surveylab.parsers lands: CSV with md, inc, azi columns."""
    try:
        df = pd.read_csv(path, dtype=str, skipinitialspace=True)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise CliError(f"{path}: cannot read as CSV: {exc}") from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = [c for c in ("md", "inc", "azi") if c not in df.columns]
    if missing:
        raise CliError(
            f"{path}: line 1: missing column(s) {', '.join(missing)} (need md, inc, azi)"
        )
    out = {}
    for col in ("md", "inc", "azi"):
        num = pd.to_numeric(df[col].str.strip(), errors="coerce")
        bad = num.isna()
        if bad.any():
            row = int(np.argmax(bad.to_numpy()))
            raise CliError(
                f"{path}: line {row + 2}: field {col}: {df[col].iloc[row]!r} is not a number"
            )
        out[col] = num.to_numpy(dtype=np.float64)
    return pd.DataFrame(out), None, None, None


def _read(path: Path) -> tuple[pd.DataFrame, DepthUnit | None, TieOn | None, float | None]:
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    try:
        from surveylab.parsers import read_survey
    except ImportError:
        return _read_plain_csv(path)
    from surveylab.cli._common import upload_limit

    parsed = read_survey(path, max_bytes=upload_limit())  # size checked before reading
    st = parsed.stations
    if "used" in st.columns:
        st = st[st["used"].fillna(True).astype(bool)]
    h = parsed.header
    return st[["md", "inc", "azi"]].reset_index(drop=True), h.depth_unit, h.tie_on, h.vs_azimuth


def handle(args: argparse.Namespace) -> int:
    """Run ``surveylab compute``."""
    from surveylab.calc import compute_trajectory, interpolate_md, resample

    path = Path(args.file)
    stations, file_unit, file_tie, file_vsa = _read(path)
    unit: DepthUnit | None = file_unit
    if args.depth_unit:
        given = DepthUnit(args.depth_unit)
        if file_unit is not None and given is not file_unit:
            raise CliError(
                f"{path}: file states depth unit {file_unit.value}, --depth-unit says {given.value}"
            )
        unit = given
    if unit is None:
        raise CliError(
            f"{path}: the file does not state its depth unit: give --depth-unit m|ft|usft"
        )
    tie = file_tie
    if args.tie_on:
        md0, inc0, azi0, tvd0, north0, east0 = _floats(args.tie_on, 6, "--tie-on")
        tie = TieOn(md0, inc0, azi0, tvd0, north0, east0)
    vs_azimuth = args.vs_azimuth if args.vs_azimuth is not None else file_vsa
    vs_origin = (0.0, 0.0)
    if args.vs_origin:
        n0, e0 = _floats(args.vs_origin, 2, "--vs-origin")
        vs_origin = (n0, e0)
    md, inc, azi = (stations[c].to_numpy(dtype=np.float64) for c in ("md", "inc", "azi"))
    traj = compute_trajectory(
        md,
        inc,
        azi,
        depth_unit=unit,
        tie_on=tie,
        method=args.method,
        vs_azimuth=vs_azimuth,
        vs_origin=vs_origin,
    )
    assumptions = traj.assumptions  # the tie-on passed on below was itself assumed
    extra: list[np.ndarray] = []
    if args.at_md:
        extra.append(interpolate_md(traj, _floats(args.at_md, None, "--at-md")).md)
    if args.step is not None:
        extra.append(resample(traj, args.step).md)
    interpolated = np.zeros(len(traj), dtype=bool)
    if extra:
        if args.method != "minimum_curvature":
            raise CliError("--at-md and --step interpolate along minimum-curvature arcs only")
        new_md = np.setdiff1d(np.concatenate(extra), traj.md)
        if new_md.size:
            pts = interpolate_md(traj, new_md)
            all_md = np.concatenate((traj.md, pts.md))
            order = np.argsort(all_md, kind="stable")
            interpolated = np.concatenate((interpolated, np.ones(new_md.size, bool)))[order]
            traj = compute_trajectory(
                all_md[order],
                np.concatenate((traj.inc, pts.inc))[order],
                np.concatenate((traj.azi, pts.azi))[order],
                depth_unit=unit,
                tie_on=traj.tie_on,
                vs_azimuth=vs_azimuth,
                vs_origin=vs_origin,
            )
            traj.assumptions = assumptions
    frame = traj.to_frame().drop(columns=["dogleg"])
    frame["interpolated"] = interpolated
    doc = _document(traj, frame)
    if args.output:
        _write(Path(args.output), frame, doc)
    if args.json:
        json.dump(doc, sys.stdout, indent=1, allow_nan=False)
        sys.stdout.write("\n")
    elif not args.output:
        _print_table(traj, frame)
    return 0


def _clean(v: Any) -> Any:
    if isinstance(v, (float, np.floating)):
        return None if not math.isfinite(v) else float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def _document(traj: Any, frame: pd.DataFrame) -> dict[str, Any]:
    keys = list(_JSON_KEYS) + (["vs"] if traj.vs is not None else []) + ["interpolated"]
    rows = [{k: _clean(r[k]) for k in keys} for r in frame.to_dict("records")]
    t = traj.tie_on
    return {
        "depth_unit": traj.depth_unit.value,
        "dls_course_length": traj.dls_course_length,
        "method": traj.method,
        "tie_on": {
            "md": t.md,
            "inc": t.inc,
            "azi": t.azi,
            "tvd": t.tvd,
            "north": t.north,
            "east": t.east,
            "assumed": t.assumed,
        },
        "vs_azimuth": traj.vs_azimuth,
        "vs_origin": list(traj.vs_origin),
        "assumptions": traj.assumptions,
        "stations": rows,
    }


def _write(out: Path, frame: pd.DataFrame, doc: dict[str, Any]) -> None:
    suffix = out.suffix.lower()
    try:
        if suffix == ".csv":
            frame.to_csv(out, index=False, float_format="%.10g")
        elif suffix == ".json":
            out.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n")
        else:
            raise CliError(f"{out}: output must end in .csv or .json")
    except OSError as exc:
        raise CliError(f"{out}: cannot write: {exc}") from None


def _print_table(traj: Any, frame: pd.DataFrame) -> None:
    from surveylab.units import unit_label

    u = unit_label(traj.depth_unit)
    cl = f"{traj.dls_course_length:g} {u}"
    print(f"method {traj.method}; lengths in {u}; rates in deg/{cl}")
    for a in traj.assumptions:
        print(f"assumed: {a}")
    shown = frame.rename(
        columns={
            "md": f"md [{u}]",
            "tvd": f"tvd [{u}]",
            "north": f"north [{u}]",
            "east": f"east [{u}]",
            "vs": f"vs [{u}]",
        }
    )
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep="-"))
