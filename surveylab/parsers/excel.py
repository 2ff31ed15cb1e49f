"""Excel survey reports (.xlsx through openpyxl, .xls through xlrd): cells -> the table reader."""

from __future__ import annotations

import io
import warnings
import zipfile

from surveylab.models.survey import ParsedSurvey
from surveylab.parsers._errors import SurveyFileError
from surveylab.parsers.table import read_sheet_rows

#: Largest uncompressed workbook accepted [bytes] (zip-bomb guard).
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024


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
    sheets = _xlsx_sheets(data, name) if fmt == "xlsx" else _xls_sheets(data, name)
    return read_sheet_rows(sheets, name, fmt)


def _xlsx_sheets(data: bytes, name: str) -> list[tuple[str, list[list[object]]]]:
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
            out = [
                (ws.title, [list(r) for r in ws.iter_rows(values_only=True)])
                for ws in wb.worksheets
            ]
            wb.close()
    except SurveyFileError:
        raise
    except Exception as exc:
        raise SurveyFileError(name, f"not a readable .xlsx workbook: {exc}") from None
    return out


def _xls_sheets(data: bytes, name: str) -> list[tuple[str, list[list[object]]]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
        out: list[tuple[str, list[list[object]]]] = []
        for sh in book.sheets():
            rows: list[list[object]] = []
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
                rows.append(vals)
            out.append((sh.name, rows))
    except Exception as exc:
        raise SurveyFileError(name, f"not a readable .xls workbook: {exc}") from None
    return out
