"""CSV survey listing: ``# key: value`` header lines, one column-header row, the stations.

Written with the :mod:`csv` module, so a field holding a comma, a quote or a line break is
quoted (RFC 4180) and stays one field; text fields a spreadsheet could read as a formula are
neutralised (:func:`~surveylab.exporters._common.neutralise`); numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from surveylab.exporters._common import fmt, header_lines, neutralise, station_table
from surveylab.models.survey import ParsedSurvey

if TYPE_CHECKING:
    from surveylab.calc import Trajectory


def write_csv(survey: ParsedSurvey, trajectory: Trajectory | None = None) -> bytes:
    """CSV listing: ``# key: value`` header lines, one column-header row, stations.

    Every header line is one field (quoted when its value holds a comma, a quote or a line
    break), as is every column name; text fields beginning with ``=``, ``+``, ``-``, ``@``, a
    tab or a carriage return get a leading apostrophe (OWASP, "CSV Injection"), numbers never.

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
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    out.writerow(["# surveylab survey export"])
    for k, v in header_lines(survey.header):
        out.writerow([neutralise(f"# {k}: {v}")])
    if trajectory is not None and trajectory.vs is not None:
        n0, e0 = trajectory.vs_origin
        # one value per line, so that no header line needs CSV quoting
        out.writerow([f"# VS origin north: {fmt(n0)}"])
        out.writerow([f"# VS origin east: {fmt(e0)}"])
    names, rows = station_table(survey, trajectory)
    out.writerow([neutralise(n) for n in names])
    for r in rows:
        out.writerow([neutralise(v) if isinstance(v, str) else fmt(v) for v in r])
    return buf.getvalue().encode("utf-8", "replace")
