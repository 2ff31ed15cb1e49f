"""Column recognition of survey listings: one alias table, names and units rows.

A listing names its columns in a row (sometimes over two rows: ``Dogleg`` over ``Severity``),
with units inside the names (``MD(ft)``, ``MD [m]``, ``Depth (usft)``, ``MD_ft``) or in a units
row below (``(m),(Deg),(Deg),...``, possibly with fewer or more fields than names, or empty
units). :data:`COLUMN_ALIASES` maps the names vendors print - in English, Norwegian, Spanish,
Portuguese and French - to roles; a column no role claims is kept as an extra column.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from surveylab.models import NorthReference
from surveylab.parsers.numbers import parse_number
from surveylab.parsers.sensors import is_sensor_name
from surveylab.parsers.terms import angle_unit_from_text, depth_unit_from_text, fold

_T, _G, _M, _U = (
    NorthReference.TRUE,
    NorthReference.GRID,
    NorthReference.MAGNETIC,
    NorthReference.UNKNOWN,
)

#: Role -> column names (folded: lower case, no accents, units and ``+-.:#*`` removed).
ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "md": (
        # English
        "md",
        "measured depth",
        "meas depth",
        "depth",
        "dept",
        "mdepth",
        "md rkb",
        "mmd",
        "measured depth rkb",
        # Norwegian
        "malt dybde",
        "malt dyp",
        "md malt",
        "boret dybde",
        # Spanish
        "profundidad medida",
        "prof medida",
        "profundidad",
        "prof",
        # Portuguese
        "profundidade medida",
        "profundidade",
        # French
        "profondeur mesuree",
        "prof mesuree",
        "profondeur",
        "profondeur foree",
    ),
    "inc": (
        "inc",
        "incl",
        "inclination",
        "devi",
        "inc deg",
        "incl deg",
        "inclination deg",
        "deviation",
        "dev",
        "hole inclination",
        "inclination angle",
        "inklinasjon",
        "inkl",
        "helning",
        "avvik",
        "inclinacion",
        "inclinacao",
        "inclinaison",
    ),
    "tvd": (
        "tvd",
        "true vertical depth",
        "vertical depth",
        "tvd rkb",
        "tvdrkb",
        "vertikal dybde",
        "sann vertikal dybde",
        "vertikaldyp",
        "pvv",
        "profundidad vertical verdadera",
        "profundidad vertical",
        "prof vertical",
        "profundidade vertical verdadeira",
        "profundidade vertical",
        "profondeur verticale vraie",
        "profondeur verticale",
        "cote verticale",
    ),
    "north": (
        "ns",
        "n/s",
        "north",
        "local n",
        "ns grid north",
        "n s",
        "dispns",
        "n/s offset",
        "north offset",
        "local north",
        "latitude n/s",
        "n",
        "nord",
        "norte",
        "nord/sud",
        "norte/sur",
        "norte/sul",
        "n/s lokal",
    ),
    "east": (
        "ew",
        "e/w",
        "east",
        "local e",
        "ew grid north",
        "e w",
        "dispew",
        "e/w offset",
        "east offset",
        "local east",
        "departure e/w",
        "e",
        "ost",
        "ost/vest",
        "o/v",
        "este",
        "e/o",
        "este/oeste",
        "leste",
        "l/o",
        "leste/oeste",
        "est",
        "est/ouest",
    ),
    "vs": (
        "vs",
        "vertical section",
        "vsec",
        "vert sect",
        "vertical sect",
        "v sect",
        "vsect",
        "vertikal seksjon",
        "seccion vertical",
        "secao vertical",
        "section verticale",
    ),
    "dls": (
        "dls",
        "dogleg",
        "dogleg rate",
        "dog leg severity",
        "dogleg severity",
        "dog leg",
        "dleg",
        "dl",
        "dls rate",
        "severidad de pata de perro",
        "severidade dogleg",
        "severite dogleg",
    ),
    "comment": (
        "comments",
        "comment",
        "remarks",
        "remark",
        "description",
        "station type",
        "kommentar",
        "comentario",
        "comentarios",
        "commentaire",
        "observaciones",
    ),
    "northing": ("northings", "northing", "grid northing", "y", "map northing"),
    "easting": ("eastings", "easting", "grid easting", "x", "map easting"),
    "used": ("used", "use flag", "use"),
    "grid_north": ("dy",),
    "grid_east": ("dx",),
}

#: Azimuth column names -> the north reference the name states.
AZIMUTH_NAMES: dict[str, NorthReference] = {}
for _names, _ref in (
    (
        (
            "azi",
            "azim",
            "azimuth",
            "az",
            "azi deg",
            "az deg",
            "azimuth deg",
            "hazi",
            "direction",
            "asimut",
            "azimut",
            "acimut",
            "azimute",
            "retning",
            "direccion",
            "direcao",
        ),
        _U,
    ),
    (
        (
            "azimuth grid",
            "azim grid",
            "azi grid",
            "az grid",
            "azim gn",
            "azi gn",
            "azimuth gn",
            "grid azimuth",
            "asimut grid",
            "azimut grid",
            "azimut cuadricula",
            "azimut de cuadricula",
            "azimute grid",
            "azimute de quadricula",
            "azimut grille",
            "azimut quadrillage",
        ),
        _G,
    ),
    (
        (
            "azimuth true",
            "azim tn",
            "azi tn",
            "az true",
            "azi true",
            "azim true",
            "true azimuth",
            "azimuth tn",
            "asimut sann",
            "azimut verdadero",
            "azimute verdadeiro",
            "azimut vrai",
            "azimut geographique",
        ),
        _T,
    ),
    (
        (
            "azimuth magnetic",
            "azim mn",
            "az magn",
            "az mag",
            "azi mag",
            "magnetic azimuth",
            "azim mag",
            "asimut magnetisk",
            "azimut magnetico",
            "azimute magnetico",
            "azimut magnetique",
        ),
        _M,
    ),
):
    for _n in _names:
        AZIMUTH_NAMES[_n] = _ref

#: Column name -> role, for every name of :data:`ROLE_NAMES` and :data:`AZIMUTH_NAMES`.
COLUMN_ALIASES: dict[str, str] = {n: role for role, names in ROLE_NAMES.items() for n in names}
COLUMN_ALIASES.update(dict.fromkeys(AZIMUTH_NAMES, "azi"))
#: Compatibility name of :data:`AZIMUTH_NAMES`.
AZIMUTH_ALIASES = AZIMUTH_NAMES

#: Roles whose numbers are kept as the vendor's computed columns.
VENDOR_ROLES = (
    "tvd",
    "north",
    "east",
    "vs",
    "dls",
    "northing",
    "easting",
    "grid_north",
    "grid_east",
)

_REF_RANK = {_T: 0, _G: 1, _M: 2, _U: 3}
_BRACKETED = re.compile(r"\s*[\[(]([^\])]*)[\])]")
_NAME_MARKS = re.compile(r"[+\-.:#*]")
_SPACES = re.compile(r"\s+")
_REF_WORDS = {"true", "grid", "tn", "gn", "mn", "mag", "magn", "magnetic", "rkb", "msl"}
_UNIT_TOKEN = re.compile(
    r"^(?:m|ft|f|feet|usft|ftus|us ft|deg|dega|rad|°|º|metres|meters|metros|pies|'|"
    # rates: deg/30m, °/100ft, deg/100 usft, Deg/30 m ...
    r"(?:°|º|deg|dega)\s*/\s*\d*\s*(?:m|ft|f|usft|ftus|us ft|')|"
    r"nt|mg|g|gauss|mt|ut|m/s2|m/s²|deg/h|deg/hr|°/h|s|sec|%|-|)$",
    re.I,
)


def is_unit_token(text: str) -> bool:
    """Whether ``text`` is a unit as listings print them (``m``, ``(Deg)``, ``deg/100ft``...)."""
    t = text.strip().strip("()[]{} ").strip()
    return bool(_UNIT_TOKEN.match(t)) or depth_unit_from_text(t) is not None


def _clean(s: str) -> str:
    s = fold(s).replace("_", " ")
    s = _NAME_MARKS.sub("", s)
    s = re.sub(r"\s*/\s*", "/", s)
    return _SPACES.sub(" ", s).strip()


@functools.lru_cache(maxsize=4096)
def norm_col(cell: str) -> tuple[str, str | None]:
    """Normalise a column-name cell; return ``(name, unit)``.

    ``"MD [m]"`` -> ``("md", "m")``; ``"Depth (usft)"`` -> ``("depth", "usft")``;
    ``"MD_ft"`` -> ``("md", "ft")``; ``"Azimuth (True)"`` -> ``("azimuth true", None)``.
    Bracketed text that is neither a unit nor a north reference stays part of the name
    (``"MD (RKB)"`` -> ``"md rkb"``) unless the name is known without it, in which case it
    is taken as the unit (``"MD [furlong]"`` -> ``("md", "furlong")``, refused later).
    """
    s = cell.replace("\n", " ").replace("\r", " ").strip()
    unit: str | None = None
    kept = s
    brackets = list(_BRACKETED.finditer(s))
    if brackets:
        # brackets without a letter or degree sign are signs ("E(+)/W(-)"): dropped
        inner = [
            m.group(1).strip()
            for m in brackets
            if re.search(r"[^\W\d_]|[°º\d]", m.group(1), re.UNICODE)
        ]
        outside = _BRACKETED.sub(" ", s)
        with_words = _clean(
            s.replace("(", " ").replace(")", " ").replace("[", " ").replace("]", " ")
        )
        units = [t for t in inner if t and is_unit_token(t)]
        words = [t for t in inner if t and not is_unit_token(t)]
        if units:
            unit = units[0]
        if words and with_words and _known_name(_clean(outside + " " + " ".join(words))):
            kept = outside + " " + " ".join(words)
        elif words and not units:
            if _known_name(_clean(outside)):
                unit = words[0] if not all(fold(w) in _REF_WORDS for w in words) else None
                kept = outside if unit is not None else outside + " " + " ".join(words)
            else:
                kept = outside + " " + " ".join(words)
        else:
            kept = outside
    name = _clean(kept)
    if name not in COLUMN_ALIASES and " " in name:
        head, last = name.rsplit(" ", 1)
        if head in COLUMN_ALIASES and is_unit_token(last) and last not in ("e", "n"):
            return head, unit or last
    return name, unit or None


def _without_unit(label: str, unit: str) -> str:
    """``"Gx (g)"`` -> ``"Gx"``, ``"MD_ft"`` -> ``"MD"``: the printed name without its unit."""
    u = re.escape(unit)
    out = re.sub(rf"\s*[\[(]\s*{u}\s*[\])]", "", label)
    if out == label:
        out = re.sub(rf"[\s_]+{u}$", "", label)
    return out.strip() or label


def _known_name(name: str) -> bool:
    return name in COLUMN_ALIASES


@dataclass(slots=True)
class ColumnMap:
    """Where each role sits in a listing and what the names row says about it.

    ``cols`` role -> column index; ``units`` role -> unit printed with the name;
    ``names`` role -> the name as printed; ``other_azimuths`` further azimuth columns by their
    reference; ``labels`` every column's printed name without its unit (index order) and
    ``col_units`` every column's unit; ``width`` the number of names.
    """

    cols: dict[str, int] = field(default_factory=dict)
    units: dict[str, str | None] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    azimuth_reference: NorthReference = NorthReference.UNKNOWN
    other_azimuths: dict[NorthReference, int] = field(default_factory=dict)
    width: int = 0
    labels: list[str] = field(default_factory=list)
    col_units: list[str | None] = field(default_factory=list)

    def extra_indices(self) -> list[int]:
        """Columns no role claims, other azimuth columns and comments (kept as extras)."""
        claimed = {j for r, j in self.cols.items() if r != "comment"}
        return [j for j in range(self.width) if j not in claimed and self.labels[j].strip()]


def match_header(cells: list[str]) -> ColumnMap | None:
    """Recognise a column-names row (needs MD, inclination and azimuth), else None."""
    cm = ColumnMap(width=len(cells))
    azis: list[tuple[int, NorthReference, str | None, str]] = []
    for j, cell in enumerate(cells):
        label = cell.replace("\n", " ").strip()
        cm.labels.append(label)
        if not label or len(label) > 60:
            cm.col_units.append(None)
            continue
        name, unit = norm_col(label)
        cm.col_units.append(unit)
        if unit:
            cm.labels[-1] = _without_unit(label, unit)
        role = COLUMN_ALIASES.get(name)
        if role is None:
            continue
        if role == "azi":
            azis.append((j, AZIMUTH_NAMES[name], unit, label))
            continue
        if role not in cm.cols:
            cm.cols[role] = j
            cm.units[role] = unit
            cm.names[role] = label
    if "md" not in cm.cols or "inc" not in cm.cols or not azis:
        return None
    azis.sort(key=lambda a: (_REF_RANK[a[1]], a[0]))
    j, ref, unit, label = azis[0]
    cm.cols["azi"], cm.units["azi"], cm.names["azi"] = j, unit, label
    cm.azimuth_reference = ref
    for j2, ref2, _u, _l in azis[1:]:
        cm.other_azimuths.setdefault(ref2, j2)
    return cm


def known_share(cells: list[str]) -> float:
    """Share of the non-empty cells that are known column names [-] (raw sensor readings,
    ``Gx``..``Bz``, count as known: a listing may print six of them beside MD, Inc, Azi)."""
    names = [norm_col(c)[0] for c in cells if c.strip()]
    known = sum(n in COLUMN_ALIASES or is_sensor_name(n) for n in names)
    return known / max(len(names), 1)


def combine_names(first: list[str], second: list[str]) -> list[str]:
    """Names split over two rows joined column by column (``Dogleg`` + ``Severity``)."""
    n = max(len(first), len(second))
    out = []
    for j in range(n):
        a = first[j].strip() if j < len(first) else ""
        b = second[j].strip() if j < len(second) else ""
        out.append(f"{a} {b}".strip())
    return out


def is_units_row(cells: list[str], cm: ColumnMap) -> bool:
    """Whether ``cells`` is a units row under the names: unit tokens only, no numbers."""
    tokens = [c.strip() for c in cells if c.strip()]
    if not tokens:
        return False
    for j in (cm.cols["md"], cm.cols["inc"]):
        if j < len(cells):
            try:
                if parse_number(cells[j]) is not None:
                    return False
            except ValueError:
                pass
    return all(is_unit_token(t) or angle_unit_from_text(t) for t in tokens)


__all__ = [
    "AZIMUTH_ALIASES",
    "AZIMUTH_NAMES",
    "COLUMN_ALIASES",
    "ROLE_NAMES",
    "VENDOR_ROLES",
    "ColumnMap",
    "combine_names",
    "is_unit_token",
    "is_units_row",
    "known_share",
    "match_header",
    "norm_col",
]
