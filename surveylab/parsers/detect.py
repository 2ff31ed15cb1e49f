"""Format detection from content (the file name is never consulted)."""

from __future__ import annotations

import re

from surveylab.parsers._errors import SurveyFileError

#: Formats :func:`~surveylab.parsers.read_survey` reads.
FORMATS: tuple[str, ...] = ("csv", "petrel", "xlsx", "xls", "las", "witsml14", "witsml20", "p717")

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def detect_format(data: bytes, name: str = "<bytes>") -> str:
    """Name the format of ``data`` from its content.

    Parameters
    ----------
    data : bytes
        File content [-].
    name : str
        File name used in messages [-].

    Returns
    -------
    str
        One of :data:`FORMATS`.

    Raises
    ------
    SurveyFileError
        Content of no supported format (e.g. a zip that is not a workbook).
    """
    if data.startswith(b"PK\x03\x04"):
        if b"xl/" in data[:65536] or b"[Content_Types].xml" in data[:65536]:
            return "xlsx"
        raise SurveyFileError(name, "a zip archive that is not an Excel workbook")
    if data.startswith(_OLE):
        return "xls"
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"):
        try:
            head = data.decode("utf-16")[:2048].encode("utf-8", "replace").lstrip()
        except UnicodeDecodeError:
            raise SurveyFileError(name, "not readable as UTF-16 text") from None
    if head.startswith(b"<"):
        if re.search(rb"<(?:\w+:)?trajectorys\b", head):
            return "witsml14"
        if re.search(rb"<(?:\w+:)?Trajectory\b", head):
            return "witsml20"
        m = re.search(rb"<(?!\?|!)(?:\w+:)?([\w.-]+)", head)
        root = m.group(1).decode("ascii", "replace") if m else "?"
        raise SurveyFileError(
            name, f"XML whose root element <{root}> is not a WITSML trajectory", element=root
        )
    first = b""
    for line in head.splitlines():
        s = line.strip()
        if s and not s.startswith(b"#"):
            first = s
            break
    if first[:2].upper() == b"~V":
        return "las"
    if head.startswith(b"IOGP,") or (
        _starts_line(data, b"H7,", 200000) and _starts_line(data, b"P7,", len(data))
    ):
        return "p717"
    if b"WELL TRACE FROM PETREL" in head.upper():
        return "petrel"
    return "csv"


def _starts_line(data: bytes, token: bytes, within: int) -> bool:
    """Whether a line of ``data[:within]`` starts with ``token`` (``^`` of ``re.M``: after LF).

    ``bytes.find`` rather than a multi-line pattern: several times faster on large files.
    """
    return data.startswith(token) or data.find(b"\n" + token, 0, within) >= 0
