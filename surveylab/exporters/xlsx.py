"""Excel survey workbook (openpyxl): ``Key:`` / value rows, a column-header row, the stations."""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

from surveylab.exporters._common import header_lines, station_table
from surveylab.models.survey import ParsedSurvey

if TYPE_CHECKING:
    from surveylab.calc import Trajectory


def write_xlsx(survey: ParsedSurvey, trajectory: Trajectory | None = None) -> bytes:
    """Excel workbook: ``Key:`` / value rows, a column-header row, stations as numbers.

    Parameters
    ----------
    survey : ParsedSurvey
        The survey (md [depth unit], inc and azi [deg]) [-].
    trajectory : surveylab.calc.Trajectory, optional
        Computed positions to write [-].
    """
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Survey")
    ws.append(["surveylab survey export"])
    for k, v in header_lines(survey.header):
        ws.append([f"{k}:", v])
    ws.append([])
    names, rows = station_table(survey, trajectory)
    ws.append(names)
    for r in rows:
        ws.append([None if isinstance(v, float) and math.isnan(v) else v for v in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
