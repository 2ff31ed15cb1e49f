"""Excel survey reports (.xlsx through openpyxl, .xls through xlrd): cells -> the table reader.

Rows are streamed to the table reader. An .xlsx sheet's ``<dimension ref>`` is not trusted:
openpyxl's read-only mode pads every row to the claimed width and yields every claimed row, so a
5 KB file claiming ``A1:XFD1048576`` would cost gigabytes. The sheets' dimensions are reset (rows
are as long as their last cell), rows are cut at :data:`MAX_SHEET_COLUMNS` cells and a sheet of
more than :data:`MAX_SHEET_ROWS` rows is refused.
"""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any

from surveylab.models import Finding, Severity
from surveylab.models.survey import ParsedSurvey
from surveylab.parsers._errors import SurveyFileError
from surveylab.parsers.table import read_sheet_rows

#: Largest uncompressed workbook accepted [bytes] (zip-bomb guard).
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
#: Cells read from one row (the rest is ignored, with a finding) [-].
MAX_SHEET_COLUMNS = 256
#: Rows read from one sheet (a longer sheet is refused) [-].
MAX_SHEET_ROWS = 500_000


def read_excel(data: bytes, name: str, fmt: str) -> ParsedSurvey:
    """Read the first sheet holding a survey listing from an .xlsx or .xls workbook.

    Parameters
    ----------
    data : bytes
        Workbook content [-].
    name : str
        File name used in messages [-].
    fmt : str
        ``"xlsx"`` or ``"xls"`` [-].
    """
    cut: list[tuple[str, int]] = []
    if fmt == "xlsx":
        survey = _read_xlsx(data, name, cut)
    else:
        survey = read_sheet_rows(_xls_sheets(data, name, cut), name, fmt)
    if cut:
        sheet, row = cut[0]
        survey.findings.append(
            Finding(
                Severity.INFO,
                "cells_beyond_column_limit",
                f"sheet {sheet!r} has cells right of column {MAX_SHEET_COLUMNS} "
                f"(first in row {row}); they were not read",
                line=row,
            )
        )
    return survey


def _capped(
    rows: Iterator[Any], name: str, sheet: str, cut: list[tuple[str, int]]
) -> Iterator[list[object]]:
    """Rows of a sheet cut at the column limit; the sheet refused past the row limit."""
    for r, row in enumerate(rows, start=1):
        if r > MAX_SHEET_ROWS:
            raise SurveyFileError(
                name,
                f"sheet {sheet!r} has more than {MAX_SHEET_ROWS} rows: refused",
                element=f"sheet {sheet}",
            )
        if len(row) > MAX_SHEET_COLUMNS:
            if not cut:
                cut.append((sheet, r))
            row = row[:MAX_SHEET_COLUMNS]
        yield list(row)


def _read_xlsx(data: bytes, name: str, cut: list[tuple[str, int]]) -> ParsedSurvey:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            total = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise SurveyFileError(name, f"not a readable .xlsx workbook: {exc}") from None
    if total > MAX_UNZIPPED_BYTES:
        raise SurveyFileError(name, f"workbook expands to {total} bytes: refused")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise SurveyFileError(name, f"not a readable .xlsx workbook: {exc}") from None

    def sheets() -> Iterator[tuple[str, Iterator[list[object]]]]:
        for ws in wb.worksheets:
            if hasattr(ws, "reset_dimensions"):
                ws.reset_dimensions()  # the claimed <dimension> is not trusted
            yield ws.title, _capped(ws.iter_rows(values_only=True), name, ws.title, cut)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return read_sheet_rows(sheets(), name, "xlsx")
    except SurveyFileError:
        raise
    except Exception as exc:
        raise SurveyFileError(name, f"not a readable .xlsx workbook: {exc}") from None
    finally:
        wb.close()


def _xls_sheets(
    data: bytes, name: str, cut: list[tuple[str, int]]
) -> Iterator[tuple[str, Iterator[list[object]]]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:
        raise SurveyFileError(name, f"not a readable .xls workbook: {exc}") from None

    def rows(sh: Any) -> Iterator[list[object]]:
        for r in range(sh.nrows):
            vals: list[object] = []
            for c in sh.row(r):
                if c.ctype == xlrd.XL_CELL_DATE:
                    try:
                        vals.append(xlrd.xldate_as_datetime(c.value, book.datemode))
                    except Exception:
                        vals.append(c.value)
                elif c.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    vals.append(None)
                else:
                    vals.append(c.value)
            yield vals

    try:
        for i in range(book.nsheets):
            sh = book.sheet_by_index(i)
            yield sh.name, _capped(rows(sh), name, sh.name, cut)
    except SurveyFileError:
        raise
    except Exception as exc:
        raise SurveyFileError(name, f"not a readable .xls workbook: {exc}") from None
