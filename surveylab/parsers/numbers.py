"""Numbers as vendors print them: decimal point or comma, degree/minute/second signs, hemispheres.

Every function here reads the *whole* text or raises :class:`ValueError`: a value that is not
fully understood is never read in part (``"2,35°"`` is 2.35 in a decimal-comma file and
unreadable in a decimal-point file, never 2).

Which decimal separator a file uses is decided once per file from its own numbers
(:func:`decide_decimal`), never per value by guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "AmbiguousDecimal",
    "DecimalStyle",
    "decide_decimal",
    "decimals",
    "parse_angle",
    "parse_azimuth",
    "parse_latlon",
    "parse_number",
    "parse_quantity",
]

_MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u00a0": " ", "\u202f": " "})


class AmbiguousDecimal(ValueError):
    """A number whose separator could be a decimal or a thousands separator (``1,250``)."""


@dataclass(frozen=True, slots=True)
class DecimalStyle:
    """The decimal separator of one file.

    Attributes
    ----------
    decimal : str
        ``"."`` or ``","`` [-].
    decided : bool
        Whether the file's own numbers showed it; when not, ``1,250``-like values are
        ambiguous and refused [-].
    evidence : str
        In plain words, what decided it (for messages) [-].
    """

    decimal: str = "."
    decided: bool = False
    evidence: str = "no number with a decimal separator"

    @property
    def comma(self) -> bool:
        """Whether the decimal separator is a comma."""
        return self.decimal == ","


POINT = DecimalStyle(".", True, "decimal points")
COMMA = DecimalStyle(",", True, "decimal commas")

_TOKEN = re.compile(r"(?<![\w.,])[+-]?\d*[.,]\d+(?:[.,]\d+)*(?![\w.,])")
# exactly 1-3 digits (no leading zero), one separator, exactly 3 digits: 1,250 or 1.250
_AMBIGUOUS = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}")


def _kind(token: str) -> str | None:
    """``"."`` or ``","`` when the token shows its decimal separator, else None."""
    t = token.lstrip("+-")
    if "." in t and "," in t:  # 1,234.5 or 1.234,5: the last separator is the decimal
        return "." if t.rfind(".") > t.rfind(",") else ","
    if _AMBIGUOUS.fullmatch(t):
        return None
    sep = "." if "." in t else ","
    parts = t.split(sep)
    if len(parts) > 2:  # 1.234.567 / 1,234,567: grouping, so the other one is the decimal
        return "," if sep == "." else "."
    return sep


def decide_decimal(texts: Iterable[str], *, delimiter: str | None = None) -> DecimalStyle:
    """Decide a file's decimal separator from the numbers it prints.

    Parameters
    ----------
    texts : iterable of str
        Texts holding numbers: table cells, lines, header values [-].
    delimiter : str, optional
        The table's cell delimiter; a comma delimiter leaves only the point as a decimal [-].

    Returns
    -------
    DecimalStyle
        Point or comma, and whether the evidence decided it. Texts showing both styles decide
        nothing (the caller refuses values that depend on it).
    """
    if delimiter == ",":
        return DecimalStyle(".", True, "a comma-delimited table")
    seen = {".": 0, ",": 0}
    for text in texts:
        if not text or ("." not in text and "," not in text):
            continue
        for tok in _TOKEN.findall(text):
            k = _kind(tok)
            if k is not None:
                seen[k] += 1
    if seen["."] and not seen[","]:
        return POINT
    if seen[","] and not seen["."]:
        return COMMA
    if seen["."] and seen[","]:
        return DecimalStyle(".", False, "both decimal points and decimal commas")
    return DecimalStyle()


_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_COMMA_DEC = re.compile(r"[+-]?(?:\d+(?:,\d*)?|,\d+)")
_GROUP_POINT = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_GROUP_COMMA = re.compile(r"[+-]?\d{1,3}(?:[. ]\d{3})+(?:,\d*)?")
_SUFFIXED = re.compile(r"(.+?)\s*([NSEWnsew])")


def _decimal(s: str, style: DecimalStyle, *, grouping: bool) -> float:
    """A bare number in ``style``: the whole text or ValueError."""
    if _PLAIN.fullmatch(s) and not (style.comma and "." in s):
        return float(s)
    if style.comma:
        if _COMMA_DEC.fullmatch(s):
            if not style.decided and _AMBIGUOUS.fullmatch(s):
                raise AmbiguousDecimal(s)
            return float(s.replace(",", "."))
        if grouping and _GROUP_COMMA.fullmatch(s) and ("," in s or s.count(".") + s.count(" ") > 1):
            return float(s.replace(".", "").replace(" ", "").replace(",", "."))
        raise ValueError(s)
    if "," in s:
        if grouping and _GROUP_POINT.fullmatch(s) and ("." in s or s.count(",") > 1):
            return float(s.replace(",", ""))
        if _COMMA_DEC.fullmatch(s) and (not style.decided or _AMBIGUOUS.fullmatch(s)):
            # a decimal comma where the file's evidence is not decisive: ambiguous, not wrong
            raise AmbiguousDecimal(s)
    raise ValueError(s)


def parse_number(
    text: str, *, comma_decimal: bool | DecimalStyle = False, grouping: bool = False
) -> float | None:
    """Read one number as printed by a vendor; ``None`` for an empty cell.

    Accepts plain decimals and exponents, the file's decimal separator, thousands grouping
    (``grouping``), a unicode minus, and a trailing hemisphere letter (``6342061.910N``; S and W
    make it negative).

    Parameters
    ----------
    text : str
        The cell text [-].
    comma_decimal : bool or DecimalStyle
        The file's decimal style (True: decided decimal comma) [-].
    grouping : bool
        Whether thousands separators are allowed (coordinates, lengths) [-].

    Returns
    -------
    float or None
        The value [unit of the column], None for an empty cell.

    Raises
    ------
    ValueError
        When the text is not a number (:class:`AmbiguousDecimal` when it could be two).
    """
    s = text.strip()
    if not s:
        return None
    style = _style(comma_decimal)
    if _PLAIN.fullmatch(s) and not style.comma:
        return float(s)
    s = s.translate(_MINUS).strip()
    try:
        return _decimal(s, style, grouping=grouping)
    except AmbiguousDecimal:
        raise
    except ValueError:
        pass
    m = _SUFFIXED.fullmatch(s)
    if m and not m.group(1).endswith(("e", "E")):
        v = _decimal(m.group(1).strip(), style, grouping=True)
        if v < 0:  # a sign and a hemisphere letter say the same thing twice, maybe not alike
            raise ValueError(text.strip())
        return -v if m.group(2).upper() in "SW" else v
    raise ValueError(text.strip())


def _style(comma_decimal: bool | DecimalStyle) -> DecimalStyle:
    if isinstance(comma_decimal, DecimalStyle):
        return comma_decimal
    return COMMA if comma_decimal else DecimalStyle(".", False)


# --------------------------------------------------------------------------------------------
# angles
# --------------------------------------------------------------------------------------------

_DEG = r"(?:°|º|˚|deg(?:rees?|s)?\.?|d(?![a-z]))"
_MIN = r"(?:'|’|′|‘|min(?:utes?|s)?\.?|m(?![a-z]))"
_SEC = r"(?:\"|”|″|''|’’|sec(?:onds?|s)?\.?|s(?![a-z]))"
_NUM = r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?"
_HEMI_WORDS = {
    "n": "N",
    "north": "N",
    "s": "S",
    "south": "S",
    "e": "E",
    "east": "E",
    "w": "W",
    "west": "W",
}
_HEMI = r"(?:north|south|east|west|[NSEW])"
_DMS = re.compile(
    rf"(?P<h1>{_HEMI})?\s*(?P<d>{_NUM})\s*(?P<dm>{_DEG})?"
    rf"(?:\s*(?P<m>{_NUM})\s*(?P<mm>{_MIN})?)?"
    rf"(?:\s*(?P<s>{_NUM})\s*(?P<sm>{_SEC})?)?"
    rf"\s*(?P<h2>{_HEMI})?",
    re.IGNORECASE,
)
_COLON_DMS = re.compile(
    rf"(?P<h1>{_HEMI})?\s*(?P<d>[+-]?\d+):(?P<m>\d+(?:[.,]\d+)?)(?::(?P<s>\d+(?:[.,]\d+)?))?"
    rf"\s*(?P<h2>{_HEMI})?",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Angle:
    """An angle read from text: magnitude with its sign as printed, and a hemisphere letter."""

    value: float
    hemisphere: str | None
    dms: bool


def parse_angle(text: str, style: DecimalStyle, *, colon: bool = False) -> Angle:
    """Read an angle: decimal degrees or degrees/minutes/seconds, signs or hemisphere letters.

    ``2,35°`` (decimal comma file), ``-0.85 deg``, ``2° 21' 30"``, ``2 deg 21 min``,
    ``14.37 degrees E``, ``W 2.5``, and with ``colon`` ``59:12:30.5N``. Minutes and seconds must
    be below 60 and carry the sign of the degrees.

    Parameters
    ----------
    text : str
        The value text [-].
    style : DecimalStyle
        The file's decimal separator [-].
    colon : bool
        Whether ``d:m:s`` is allowed (latitude/longitude, not correction angles) [-].

    Returns
    -------
    Angle
        Value [deg] with the printed sign, the hemisphere letter if any, whether it had
        minutes or seconds.

    Raises
    ------
    ValueError
        When the text is not wholly an angle.
    """
    s = text.translate(_MINUS).strip()
    if not s:
        raise ValueError(text)
    m = _DMS.fullmatch(s) or (_COLON_DMS.fullmatch(s) if colon else None)
    if m is None:
        raise ValueError(text)
    g = m.groupdict()
    h1, h2 = g.get("h1"), g.get("h2")
    if h1 and h2:
        raise ValueError(text)
    letter = h1 or h2
    hemi = _HEMI_WORDS[letter.lower()] if letter else None
    mins, secs = g.get("m"), g.get("s")
    by_colon = "dm" not in g
    # bare numbers separated by spaces ("2 21 30") are degrees, minutes, seconds only when
    # marked or with a hemisphere; "2 21" alone is not an angle
    if not by_colon:
        if mins is not None and not (g.get("dm") or g.get("mm") or hemi):
            raise ValueError(text)
        if secs is not None and not (g.get("mm") or g.get("sm") or hemi):
            raise ValueError(text)
    deg_txt = g["d"]
    value = _decimal_angle(deg_txt, style)
    if mins is None and secs is None:
        return Angle(value, hemi, False)
    if "." in deg_txt or "," in deg_txt:
        raise ValueError(text)  # decimal degrees followed by minutes
    mv = _decimal_angle(mins, style) if mins is not None else 0.0
    sv = _decimal_angle(secs, style) if secs is not None else 0.0
    if mins is not None and secs is not None and ("." in mins or "," in mins):
        raise ValueError(text)
    if not (0 <= mv < 60 and 0 <= sv < 60) or (mins or "").startswith(("+", "-")):
        raise ValueError(text)
    sign = -1.0 if deg_txt.lstrip().startswith("-") else 1.0
    return Angle(sign * (abs(value) + mv / 60.0 + sv / 3600.0), hemi, True)


def _decimal_angle(txt: str, style: DecimalStyle) -> float:
    return _decimal(txt.strip(), style, grouping=False)


def parse_latlon(text: str, style: DecimalStyle, axis: str) -> float:
    """Latitude (``axis="lat"``) or longitude (``"lon"``) in decimal degrees, north/east positive.

    Parameters
    ----------
    text : str
        ``59° 12' 30.5" N``, ``N 59 12 30.5``, ``59:12:30.5N``, ``-59.2085`` ... [-].
    style : DecimalStyle
        The file's decimal separator [-].
    axis : str
        ``"lat"`` or ``"lon"`` [-].

    Returns
    -------
    float
        Degrees [deg], within +-90 (lat) or +-180 (lon).

    Raises
    ------
    ValueError
        Unreadable, a hemisphere of the other axis, a sign with a hemisphere, or out of range.
    """
    a = parse_angle(text, style, colon=True)
    v = a.value
    if a.hemisphere is not None:
        allowed = "NS" if axis == "lat" else "EW"
        if a.hemisphere not in allowed or v < 0:
            raise ValueError(text)
        v = -v if a.hemisphere in "SW" else v
    limit = 90.0 if axis == "lat" else 180.0
    if not -limit <= v <= limit:
        raise ValueError(text)
    return v


# --------------------------------------------------------------------------------------------
# quantities with a unit
# --------------------------------------------------------------------------------------------

_QUANTITY = re.compile(r"(?P<num>[+-]?[\d.,\s]*\d[\d.,]*|[+-]?[.,]\d+)\s*(?P<unit>[^\d\s].*)?")


def parse_quantity(text: str, style: DecimalStyle) -> tuple[float, str | None]:
    """A number with an optional unit after it (``25,3 m``, ``82 ft``, ``1,234.5 usft``).

    Returns
    -------
    tuple of (float, str or None)
        The value [the unit returned] and the unit text as printed (None when none).

    Raises
    ------
    ValueError
        When the text is not a number followed by at most a unit word.
    """
    s = text.translate(_MINUS).strip()
    m = _QUANTITY.fullmatch(s)
    if m is None:
        raise ValueError(text)
    num = m.group("num").strip()
    v = _decimal(num, style, grouping=True)
    unit = (m.group("unit") or "").strip() or None
    return v, unit


# --------------------------------------------------------------------------------------------
# table cells
# --------------------------------------------------------------------------------------------

_QUADRANT = re.compile(
    r"([NS])\s*(\d+(?:\.\d+)?)(?:[°\s]+(\d+(?:\.\d+)?))?(?:['\s]+(\d+(?:\.\d+)?))?\"?\s*([EW])",
    re.IGNORECASE,
)


def parse_azimuth(text: str, *, comma_decimal: bool | DecimalStyle = False) -> float | None:
    """An azimuth cell: a number, or a quadrant bearing such as ``N 45 30 E`` [deg]."""
    try:
        return parse_number(text, comma_decimal=comma_decimal)
    except AmbiguousDecimal:
        raise
    except ValueError:
        m = _QUADRANT.fullmatch(text.strip())
        if not m:
            raise
        ang = float(m.group(2)) + float(m.group(3) or 0) / 60 + float(m.group(4) or 0) / 3600
        if ang > 90:
            raise ValueError(text) from None
        ns, ew = m.group(1).upper(), m.group(5).upper()
        if ns == "N":
            return ang if ew == "E" else (360.0 - ang) % 360.0
        return 180.0 - ang if ew == "E" else 180.0 + ang


def decimals(text: str) -> int:
    """Digits printed after the decimal separator (precision of a printed number) [-]."""
    s = text.strip()
    i = s.rfind(".")
    if i < 0:
        i = s.rfind(",")
    if i < 0:
        return 0
    j = i + 1
    while j < len(s) and s[j].isdigit():
        j += 1
    return j - i - 1
