"""Words survey files use for units, north references, calculation methods and dates.

One vocabulary for every reader (text tables, spreadsheets, LAS, WITSML, P7/17): a unit token
or a north-reference statement means the same thing whichever format it comes in.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import datetime

from surveylab.models import DepthUnit, NorthReference

__all__ = [
    "angle_unit_from_text",
    "depth_unit_from_prose",
    "depth_unit_from_text",
    "fold",
    "method_from_text",
    "normalise_date",
    "north_reference_from_text",
]


@functools.lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lower case without accents (``Inclinação`` -> ``inclinacao``), for matching names."""
    t = unicodedata.normalize("NFKD", text.lower())
    return (
        "".join(c for c in t if not unicodedata.combining(c)).replace("ø", "o").replace("æ", "ae")
    )


_DEPTH_UNITS = {
    "m": DepthUnit.M,
    "metre": DepthUnit.M,
    "metres": DepthUnit.M,
    "meter": DepthUnit.M,
    "meters": DepthUnit.M,
    "metro": DepthUnit.M,
    "metros": DepthUnit.M,
    "meter (m)": DepthUnit.M,
    "mtr": DepthUnit.M,
    "mts": DepthUnit.M,
    "m-units": DepthUnit.M,
    "ft": DepthUnit.FT,
    "f": DepthUnit.FT,
    "feet": DepthUnit.FT,
    "foot": DepthUnit.FT,
    "pies": DepthUnit.FT,
    "pes": DepthUnit.FT,
    "pieds": DepthUnit.FT,
    "fot": DepthUnit.FT,
    "'": DepthUnit.FT,
    "intl ft": DepthUnit.FT,
    "international feet": DepthUnit.FT,
    "ft-units": DepthUnit.FT,
    "usft": DepthUnit.USFT,
    "ftus": DepthUnit.USFT,
    "us ft": DepthUnit.USFT,
    "us-ft": DepthUnit.USFT,
    "sft": DepthUnit.USFT,
    "us survey ft": DepthUnit.USFT,
    "us survey foot": DepthUnit.USFT,
    "us survey feet": DepthUnit.USFT,
    "survey ft": DepthUnit.USFT,
    "survey feet": DepthUnit.USFT,
}


def depth_unit_from_text(text: str | None) -> DepthUnit | None:
    """Map a unit token (``m``, ``ft``, ``F``, ``ftUS``, ``( ft )``...) to a :class:`DepthUnit`."""
    if not text:
        return None
    t = fold(text.strip().strip("()[]{} ").strip())
    return _DEPTH_UNITS.get(t)


_ANGLE_UNITS = {
    "deg": "deg",
    "dega": "deg",
    "degree": "deg",
    "degrees": "deg",
    "degs": "deg",
    "°": "deg",
    "º": "deg",
    "˚": "deg",
    "grados": "deg",
    "graus": "deg",
    "degres": "deg",
    "grader": "deg",
    "rad": "rad",
    "radian": "rad",
    "radians": "rad",
}


def angle_unit_from_text(text: str | None) -> str | None:
    """``"deg"`` or ``"rad"`` for a unit token, None when not an angle unit."""
    if not text:
        return None
    t = fold(text.strip().strip("()[]{} ").strip())
    return _ANGLE_UNITS.get(t)


_REFS = (
    (
        NorthReference.TRUE,
        re.compile(
            r"\btrue\b|\btn\b|geographic|\bsann\b|\bverdadeiro\b|\bverdadero\b|\bvrai\b"
            r"|\bgeografico\b|\bgeographique\b"
        ),
    ),
    (
        NorthReference.GRID,
        re.compile(r"\bgrid\b|\bgn\b|\bcuadricula\b|\bquadricula\b|\bquadrillage\b|\bgrille\b"),
    ),
    (NorthReference.MAGNETIC, re.compile(r"magnetic|\bmn\b|magnetico|magnetique|magnetisk")),
)


def north_reference_from_text(text: str | None) -> NorthReference | None:
    """Map a north-reference statement to :class:`NorthReference` (None when not recognised).

    A text naming two references ("magnetic, corrected to grid") gives None: it does not say
    which one the azimuths are from.
    """
    if not text:
        return None
    t = fold(text.strip())
    named = [ref for ref, rx in _REFS if rx.search(t)]
    return named[0] if len(named) == 1 else None


_METHODS = (
    ("minimum curvature", "minimum curvature"),
    ("curvatura minima", "minimum curvature"),
    ("courbure minimale", "minimum curvature"),
    ("radius of curvature", "radius of curvature"),
    ("balanced tangential", "balanced tangential"),
    ("average angle", "average angle"),
    ("tangential", "tangential"),
)


def method_from_text(text: str) -> str | None:
    """The calculation method a text names, or None."""
    t = fold(text)
    for needle, name in _METHODS:
        if needle in t:
            return name
    return None


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%B %d, %Y",
    "%d %B, %Y",
    "%d %B %Y",
    "%Y:%m:%d",
    "%d.%m.%Y",
)


def normalise_date(text: str) -> str:
    """ISO 8601 date when the text is a recognisable date, else the text as given."""
    t = text.strip()
    if re.match(r"\d{4}-\d{2}-\d{2}T", t):
        return t
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(t, fmt).date().isoformat()
        except ValueError:
            continue
    return t


_PROSE_UNIT = (
    re.compile(r"all data (?:is|are) in (metres|meters|metre|meter|feet|foot|ft|m)\b", re.I),
    re.compile(r"\b(?:md|depth)\b[^\n]*\bgiven in (m|ft|feet|metres|meters)[- ]units", re.I),
)


def depth_unit_from_prose(text: str) -> DepthUnit | None:
    """A depth unit stated in free text (``All data are in meters unless otherwise stated``)."""
    for rx in _PROSE_UNIT:
        m = rx.search(text)
        if m:
            return depth_unit_from_text(m.group(1))
    return None
