"""Survey text: its encoding, and its lines one at a time (CR, LF or CRLF).

Large files are read as a stream of lines (:func:`iter_lines`): the decoded text of a 50 MB file
is never held as a list of lines.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from surveylab.parsers._errors import SurveyFileError

__all__ = ["decode_text", "detect_encoding", "iter_lines", "iter_text_chunks", "split_lines"]

#: Characters decoded at a time by :func:`iter_line_chunks` [-].
CHUNK_CHARS = 1 << 20


def detect_encoding(data: bytes, name: str) -> str:
    """The encoding of survey text: UTF-8 (with or without BOM), UTF-16 with BOM, cp1252, Latin-1.

    Parameters
    ----------
    data : bytes
        File content [-].
    name : str
        File name used in messages [-].

    Returns
    -------
    str
        A Python codec name (``utf-8-sig`` strips the BOM; ``utf-16`` reads its BOM).

    Raises
    ------
    SurveyFileError
        Binary content (NUL bytes outside UTF-16).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in data[:4096]:
        raise SurveyFileError(name, "binary content (NUL bytes): not a survey text file")
    if data.isascii():
        return "utf-8"
    for enc in ("utf-8", "cp1252"):
        try:
            data.decode(enc)
        except UnicodeDecodeError:
            continue
        return enc
    return "latin-1"


def decode_text(data: bytes, name: str) -> str:
    """Decode survey text whole (small formats: LAS, WITSML, P7/17 headers).

    Returns
    -------
    str
        The text with a leading BOM removed and line endings left as found.
    """
    enc = detect_encoding(data, name)
    try:
        return data.decode(enc)
    except UnicodeDecodeError:
        raise SurveyFileError(name, f"not readable as {enc} text") from None


def iter_lines(data: bytes, name: str) -> Iterator[str]:
    """The lines of survey text, without line endings, decoded as they are read.

    Parameters
    ----------
    data : bytes
        File content [-].
    name : str
        File name used in messages [-].

    Yields
    ------
    str
        One line (CR, LF and CRLF all end a line).
    """
    enc = detect_encoding(data, name)
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=enc, newline=None)
    try:
        for line in stream:
            yield line[:-1] if line.endswith("\n") else line
    except UnicodeDecodeError:
        raise SurveyFileError(name, f"not readable as {enc} text") from None


def iter_text_chunks(data: bytes, name: str, size: int = CHUNK_CHARS) -> Iterator[str]:
    """Survey text in chunks of about ``size`` characters, each of whole lines.

    Parameters
    ----------
    data : bytes
        File content [-].
    name : str
        File name used in messages [-].
    size : int
        Characters decoded at a time [-].

    Yields
    ------
    str
        Consecutive whole lines joined by ``"\\n"`` (CR, LF and CRLF all end a line), without
        the last line ending; the chunks together hold every line of the file once, in order.
    """
    enc = detect_encoding(data, name)
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=enc, newline=None)
    carry = ""
    try:
        while True:
            text = stream.read(size)
            if not text:
                break
            text = carry + text
            cut = text.rfind("\n")
            if cut < 0:
                carry = text
                continue
            carry = text[cut + 1 :]
            yield text[:cut]
    except UnicodeDecodeError:
        raise SurveyFileError(name, f"not readable as {enc} text") from None
    if carry:
        yield carry


_LINE_SPLIT = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Split on CR, LF or CRLF (all three occur in vendor exports)."""
    if "\r" not in text:
        return text.split("\n")
    return _LINE_SPLIT.split(text)
