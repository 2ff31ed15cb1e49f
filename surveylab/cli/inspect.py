"""``surveylab inspect FILE [--json]``: what a survey file holds, without storing anything."""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from surveylab.models.survey import ParsedSurvey


def register(subparsers: Any) -> None:
    """Add the ``inspect`` command."""
    p = subparsers.add_parser(
        "inspect", help="show a survey file's format, header, stations and findings"
    )
    p.add_argument("file", help="survey file (CSV/TXT, XLSX, XLS, LAS, WITSML, P7/17)")
    p.add_argument("--format", dest="fmt", default=None, help="skip detection: format name")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=handle)


def _station(survey: ParsedSurvey, i: int) -> dict[str, float]:
    row = survey.stations.iloc[i]
    return {k: float(row[k]) for k in ("md", "inc", "azi")}


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_clean(x) for x in v]
    if v is None or isinstance(v, str | int | float | bool):
        return v
    return str(v)


def summary(survey: ParsedSurvey) -> dict[str, Any]:
    """The JSON document ``inspect --json`` prints."""
    header = survey.header.to_dict()
    header.pop("extra", None)
    return {
        "format": survey.format,
        "file": survey.source_name,
        "header": _clean(header),
        "station_count": survey.station_count,
        "first": _station(survey, 0),
        "last": _station(survey, -1),
        "extra_columns": [
            {"name": str(c), "unit": survey.extra_units.get(str(c))}
            for c in survey.extra_columns.columns
        ],
        # a cause found at several stations is one item with count, md_from, md_to, worst,
        # worst_station and the per-station list (Finding.to_dict)
        "findings": [_clean(f.to_dict()) for f in survey.findings],
    }


def handle(args: argparse.Namespace) -> int:
    """Print the summary of one file; exit 0 when it reads (findings or not)."""
    from surveylab.cli._common import upload_limit
    from surveylab.parsers import read_survey

    # read_survey checks the size on disk before reading a byte
    survey = read_survey(args.file, format=args.fmt, max_bytes=upload_limit())
    doc = summary(survey)
    if args.json:
        print(json.dumps(doc, indent=2))
        return 0
    print(f"file:     {doc['file']}")
    print(f"format:   {doc['format']}")
    for k, v in doc["header"].items():
        if v is not None:
            print(f"  {k}: {v}")
    unit = doc["header"].get("depth_unit") or "(unit not stated)"
    print(f"stations: {doc['station_count']} (MD in {unit})")
    for label in ("first", "last"):
        s = doc[label]
        print(f"  {label}: MD {s['md']:g}  Inc {s['inc']:g}  Azi {s['azi']:g}")
    print(f"findings: {len(doc['findings'])}")
    for f in doc["findings"]:
        where = f" (station {f['station']})" if f["station"] is not None else ""
        print(f"  {f['severity']:<7} {f['code']}{where}: {f['message']}")
    return 0
