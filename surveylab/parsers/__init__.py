"""Survey file import: bytes in, :class:`~surveylab.models.survey.ParsedSurvey` out.

One entry point, :func:`read_survey`, detects the format from the content (not the file name)
and dispatches to the reader of that family. Unreadable input raises :class:`SurveyFileError`
(the one exception type), naming the file, line (or row, or XML element) and field; a readable
file with problems parses, with findings.

Tie-on convention: a tie-on the file gives as a row of its listing (a row marked "Tie-In", a
WITSML ``tie in point`` station, a first row at MD 0, or a first row whose printed TVD/N/E are
not those of a vertical hole from the surface) stays a station *and* is copied into
``header.tie_on``. A P7/17 ``TP`` record is handled the same way.
"""

from __future__ import annotations

import os
from pathlib import Path

from surveylab.models.survey import ParsedSurvey
from surveylab.parsers._errors import MAX_PROBLEMS, Problem, SurveyFileError
from surveylab.parsers.detect import FORMATS, detect_format

#: Largest input accepted by default [bytes] (SURVEYLAB_MAX_UPLOAD_MB in configuration).
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "MAX_PROBLEMS",
    "Problem",
    "SurveyFileError",
    "check_size",
    "detect_format",
    "read_survey",
]


def check_size(
    path: str | os.PathLike[str], max_bytes: int | None = None, *, name: str | None = None
) -> int:
    """Refuse a file larger than the limit before anything of it is read.

    Parameters
    ----------
    path : str or os.PathLike
        The file [-].
    max_bytes : int, optional
        Size limit [bytes]; default :data:`DEFAULT_MAX_BYTES`.
    name : str, optional
        File name used in messages; default the path's name [-].

    Returns
    -------
    int
        The file's size [bytes].

    Raises
    ------
    SurveyFileError
        The file cannot be opened, or is larger than the limit.
    """
    limit = DEFAULT_MAX_BYTES if max_bytes is None else int(max_bytes)
    p = Path(os.fspath(path))
    label = name or p.name
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise SurveyFileError(label, f"cannot open file: {exc.strerror or exc}") from None
    if size > limit:
        raise SurveyFileError(label, f"file is {size} bytes, larger than the {limit}-byte limit")
    return size


def read_survey(
    source: str | os.PathLike[str] | bytes,
    *,
    name: str | None = None,
    format: str | None = None,
    max_bytes: int | None = None,
) -> ParsedSurvey:
    """Read a survey file of any supported format.

    Parameters
    ----------
    source : str, os.PathLike or bytes
        Path of the file, or its content (uploads arrive as bytes) [-].
    name : str, optional
        File name used in messages and recorded in the result; defaults to the path's name,
        or ``"<bytes>"`` [-].
    format : str, optional
        One of :data:`FORMATS` to skip detection; the content must still be of that format [-].
    max_bytes : int, optional
        Size limit [bytes]; default :data:`DEFAULT_MAX_BYTES` (50 MB).

    Returns
    -------
    ParsedSurvey
        Header fields, stations (md [header.depth_unit], inc and azi [deg]), vendor columns,
        raw header/footer text and findings.

    Raises
    ------
    SurveyFileError
        The input cannot be read as a survey (the message names file, line and field).
    """
    limit = DEFAULT_MAX_BYTES if max_bytes is None else int(max_bytes)
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        label = name or "<bytes>"
    else:
        path = Path(os.fspath(source))
        label = name or path.name
        check_size(path, limit, name=label)  # before anything is read
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SurveyFileError(label, f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise SurveyFileError(
            label, f"input is {len(data)} bytes, larger than the {limit}-byte limit"
        )
    if not data or data.isspace():  # (no stripped copy of a large file)
        raise SurveyFileError(label, "the file is empty")
    fmt = format or detect_format(data, label)
    if fmt not in FORMATS:
        raise SurveyFileError(label, f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")
    try:
        return _dispatch(fmt, data, label)
    except SurveyFileError:
        raise
    except RecursionError:
        raise SurveyFileError(label, "structure nested too deeply to read") from None
    except MemoryError:
        raise SurveyFileError(label, "too large to read in memory") from None
    except Exception as exc:
        raise SurveyFileError(label, f"unreadable as {fmt}: {type(exc).__name__}: {exc}") from exc


def _dispatch(fmt: str, data: bytes, name: str) -> ParsedSurvey:
    if fmt in ("csv", "petrel"):
        from surveylab.parsers.table import read_text_table

        return read_text_table(data, name, fmt)
    if fmt in ("xlsx", "xls"):
        from surveylab.parsers.excel import read_excel

        return read_excel(data, name, fmt)
    if fmt == "las":
        from surveylab.parsers.las import read_las

        return read_las(data, name)
    if fmt in ("witsml14", "witsml20"):
        from surveylab.parsers.witsml import read_witsml

        return read_witsml(data, name, fmt)
    from surveylab.parsers.p717 import read_p717

    return read_p717(data, name)
