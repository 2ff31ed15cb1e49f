"""Excel survey workbook (openpyxl): ``Key:`` / value rows, a column-header row, the stations.

Every text is written as a text cell (openpyxl would make a string beginning with ``=`` a
formula); one a spreadsheet could read as a formula is also marked "quote prefix", so that
editing the cell in Excel keeps it text. Numbers are number cells.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING, Any

from surveylab.exporters._common import header_lines, looks_like_formula, station_table, xml_safe
from surveylab.models.survey import ParsedSurvey

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from surveylab.calc import Trajectory


def _cell(ws: WriteOnlyWorksheet, value: Any) -> Any:
    """A write-only cell: text as a text cell (never a formula), anything else as it is."""
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, str):
        return None if isinstance(value, float) and math.isnan(value) else value
    cell = WriteOnlyCell(ws, value=xml_safe(value))
    cell.data_type = "s"  # openpyxl typed a leading "=" as a formula ("f")
    if looks_like_formula(value):
        cell.quotePrefix = True
    return cell


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
    ws.append([_cell(ws, "surveylab survey export")])
    for k, v in header_lines(survey.header):
        ws.append([_cell(ws, f"{k}:"), _cell(ws, v)])
    ws.append([])
    names, rows = station_table(survey, trajectory)
    ws.append([_cell(ws, n) for n in names])
    for r in rows:
        ws.append([_cell(ws, v) for v in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
