"""The survey builder every reader ends with: tie-on, checks, findings gathered by cause.

Readers hand over what they found (:class:`~surveylab.parsers.raw.RawSurvey`: stations, vendor
columns, lines) with the header they read; :func:`build_survey` turns it into a
:class:`~surveylab.models.survey.ParsedSurvey`.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from surveylab.calc.errors import SurveyInputError
from surveylab.calc.mincurve import minimum_curvature
from surveylab.models import Finding, Severity, TieOn
from surveylab.models.survey import STATION_COLUMNS, ParsedSurvey, SurveyHeader
from surveylab.parsers._errors import SurveyFileError
from surveylab.parsers.checks import check_stations
from surveylab.parsers.findings import aggregate
from surveylab.parsers.raw import RawSurvey

__all__ = ["RawSurvey", "build_survey", "surface_step"]


def build_survey(
    fmt: str,
    name: str,
    header: SurveyHeader,
    raw: RawSurvey,
    *,
    raw_header: str = "",
    raw_footer: str = "",
    findings: list[Finding] | None = None,
    extra_columns: pd.DataFrame | None = None,
    extra_units: dict[str, str | None] | None = None,
) -> ParsedSurvey:
    """Assemble a :class:`ParsedSurvey` and run the common checks.

    ``extra_columns`` (row-aligned with the stations) and ``extra_units`` are the columns no
    role claims, as the reader found them.

    The tie-on: a row the file marks as tie-on (or a first row at MD 0) is kept as a station and
    copied into ``header.tie_on``. When the first station prints vendor TVD/N/E, the
    vertical-from-surface assumption is checked against them: if it does not reproduce them, the
    first station itself is the file's tie-on.
    """
    findings = list(findings or [])
    if len(raw.md) == 0:
        raise SurveyFileError(name, "no survey stations found")
    n = len(raw.md)
    md = np.asarray(raw.md, dtype=float)
    inc = np.asarray(raw.inc, dtype=float)
    azi = np.asarray(raw.azi, dtype=float)
    lines = raw.lines
    projected = np.asarray(raw.projected, dtype=bool) if len(raw.projected) else np.zeros(n, bool)
    used = np.asarray(raw.used, dtype=bool) if len(raw.used) else np.ones(n, bool)
    if any(a.shape != (n,) for a in (inc, azi, projected, used)):
        raise ValueError("All arrays must be of the same length")
    vendor_cols = {k: np.array(v, dtype=float) for k, v in raw.vendor.items()}
    _resolve_tie_on(header, raw, md, inc, azi, vendor_cols, findings)
    azi = check_stations(header, md, inc, azi, projected, used, vendor_cols, raw, findings)
    # Prebuilt column labels: pandas inferring them from strings costs more than the data
    # (copies, so that renaming one frame's columns cannot touch another's).
    stations = pd.DataFrame(
        dict(zip(STATION_COLUMNS, (md, inc, azi, projected, used), strict=True)),
        index=pd.RangeIndex(n),
        columns=_column_index(STATION_COLUMNS).copy(),
        copy=False,
    )
    if not vendor_cols:
        vendor = pd.DataFrame(index=stations.index)
    elif all(v.shape == (n,) for v in vendor_cols.values()):
        # one float block straight from a 2-D array
        vendor = pd.DataFrame(
            np.column_stack(list(vendor_cols.values())),
            index=pd.RangeIndex(n),
            columns=_column_index(tuple(vendor_cols)).copy(),
            copy=False,
        )
    else:
        vendor = pd.DataFrame(vendor_cols)
    return ParsedSurvey(
        format=fmt,
        source_name=name,
        header=header,
        stations=stations,
        vendor=vendor,
        raw_header=raw_header,
        raw_footer=raw_footer,
        findings=aggregate(findings, md),
        extra_columns=pd.DataFrame() if extra_columns is None else extra_columns,
        extra_units=extra_units or {},
        lines=lines,
        vendor_decimals=dict(raw.vendor_decimals),
    )


@functools.lru_cache(maxsize=256)
def _column_index(names: tuple[str, ...]) -> pd.Index:
    return pd.Index(list(names))


def _vendor_at(vendor: dict[str, np.ndarray], col: str, i: int) -> float | None:
    if col in vendor:
        v = float(vendor[col][i])
        return None if math.isnan(v) else v
    return None


def surface_step(md: float, inc: float, azi: float) -> tuple[float, float, float]:
    """TVD, N, E [unit of ``md``] of a station reached from a vertical hole at MD 0.

    Minimum curvature of :func:`surveylab.calc.minimum_curvature` with its default tie-on
    (vertical from MD 0, TVD 0, N 0, E 0); NaN when no such course exists (MD below 0).
    """
    try:
        pos = minimum_curvature([md], [inc], [azi])
    except SurveyInputError:
        return math.nan, math.nan, math.nan
    return float(pos.tvd[0]), float(pos.north[0]), float(pos.east[0])


def _resolve_tie_on(
    header: SurveyHeader,
    raw: RawSurvey,
    md: np.ndarray,
    inc: np.ndarray,
    azi: np.ndarray,
    vendor: dict[str, np.ndarray],
    findings: list[Finding],
) -> None:
    stated = header.extra.pop("tie_on_stated", None)
    if raw.tie_on is None and stated is not None:
        missing = [k for k in ("md", "inc", "azi", "tvd", "north", "east") if k not in stated]
        if missing:
            findings.append(
                Finding(
                    Severity.WARNING,
                    "tie_on_incomplete",
                    f"the header states a tie-on without {', '.join(missing)}; it is not used",
                )
            )
        else:
            raw.tie_on = TieOn(**stated, assumed=False)
    if raw.tie_on is not None:
        header.tie_on = raw.tie_on
        return
    idx = raw.tie_index
    first_line = raw.lines[0] if raw.lines else None
    md0 = float(md[0])
    if idx is None and md0 == 0.0:
        idx = 0
    if idx is None and any(c in vendor for c in ("tvd", "north", "east")):
        inc0, azi0 = float(inc[0]), float(azi[0])
        tvd_s, n_s, e_s = surface_step(md0, inc0, azi0)
        tol = 0.05 + 2e-4 * abs(md0)
        given = tuple(_vendor_at(vendor, c, 0) for c in ("tvd", "north", "east"))
        if any(
            g is not None and abs(g - s) > tol
            for g, s in zip(given, (tvd_s, n_s, e_s), strict=True)
        ):
            idx = 0
            findings.append(
                Finding(
                    Severity.INFO,
                    "tie_on_first_station",
                    "the first station's printed TVD/N/E are not those of a vertical hole from "
                    "the surface: the first station is taken as the tie-on",
                    station=0,
                    line=first_line,
                )
            )
    if idx is None:
        header.tie_on = None
        findings.append(
            Finding(
                Severity.WARNING,
                "no_tie_on",
                "the file gives no tie-on: a vertical hole from MD 0 (TVD 0, N 0, E 0) down to "
                f"the first station at MD {md0:g} is assumed",
                station=0,
                line=first_line,
            )
        )
        return
    i = int(idx)
    md_i = float(md[i])
    tvd = _vendor_at(vendor, "tvd", i)
    north = _vendor_at(vendor, "north", i)
    east = _vendor_at(vendor, "east", i)
    header.tie_on = TieOn(
        md=md_i,
        inc=float(inc[i]),
        azi=float(azi[i]),
        tvd=tvd if tvd is not None else md_i,
        north=north if north is not None else 0.0,
        east=east if east is not None else 0.0,
        assumed=False,
    )
    if md_i != 0.0 and (tvd is None or north is None or east is None):
        findings.append(
            Finding(
                Severity.WARNING,
                "tie_on_position_missing",
                f"the tie-on row at MD {md_i:g} does not print TVD/N/E; the missing values are "
                "taken as TVD = MD, N = E = 0",
                station=i,
                line=raw.lines[i] if raw.lines else None,
            )
        )
