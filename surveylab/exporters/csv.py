"""CSV survey listing: ``# key: value`` header lines, one column-header row, the stations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from surveylab.exporters._common import fmt, header_lines, station_table
from surveylab.models.survey import ParsedSurvey

if TYPE_CHECKING:
    from surveylab.calc import Trajectory


def write_csv(survey: ParsedSurvey, trajectory: Trajectory | None = None) -> bytes:
    """CSV listing: ``# key: value`` header lines, one column-header row, stations.

    Parameters
    ----------
    survey : ParsedSurvey
        The survey (md [depth unit], inc and azi [deg]) [-].
    trajectory : surveylab.calc.Trajectory, optional
        Computed positions to write (tvd, north, east, vs [depth unit], dls [deg/course]) [-].

    Returns
    -------
    bytes
        UTF-8 text with LF line endings.
    """
    lines = ["# surveylab survey export"]
    lines += [f"# {k}: {v}" for k, v in header_lines(survey.header)]
    if trajectory is not None and trajectory.vs is not None:
        n0, e0 = trajectory.vs_origin
        lines.append(f"# VS origin: N {fmt(n0)}, E {fmt(e0)}")
    names, rows = station_table(survey, trajectory)
    lines.append(",".join(names))
    for r in rows:
        lines.append(",".join(fmt(v) if not isinstance(v, str) else v for v in r))
    return ("\n".join(lines) + "\n").encode("utf-8")
