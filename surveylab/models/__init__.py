"""Plain domain types shared by every layer: enums and frozen dataclasses.

Nothing here imports a database, a UI toolkit or a file format. Lengths carry their unit
(:class:`DepthUnit`) and azimuths their reference (:class:`NorthReference`) wherever they cross
a boundary.

Glossary (used everywhere): ``md`` measured depth, ``inc`` inclination [deg, 0 = vertical down],
``azi`` azimuth [deg, clockwise from the stated north, in [0, 360)], ``tvd`` true vertical depth,
``north``/``east`` offsets from the survey's origin, ``dls`` dogleg severity [deg per course
length], ``build_rate``/``turn_rate`` signed rates [deg per course length], ``vs`` vertical section.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class DepthUnit(enum.StrEnum):
    """Unit of every length in a survey: metre, international foot, US survey foot."""

    M = "m"
    FT = "ft"
    USFT = "usft"


class NorthReference(enum.StrEnum):
    """What an azimuth is measured from."""

    TRUE = "true"
    GRID = "grid"
    MAGNETIC = "magnetic"
    UNKNOWN = "unknown"


class Severity(enum.StrEnum):
    """Severity of a finding; ``rank`` orders them (error is worst)."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class Role(enum.StrEnum):
    """User roles: who may read, do survey work, change runs and manage users."""

    ADMIN = "Admin"
    ENGINEER = "Engineer"
    SURVEYOR = "Surveyor"
    VIEWER = "Viewer"


class RunType(enum.StrEnum):
    """Survey run types: the tool that produced the survey."""

    GTL = "GTL"
    GYRO = "Gyro"
    MWD = "MWD"
    UNKNOWN = "Unknown"


class SurveyStatus(enum.StrEnum):
    """Lifecycle of a survey revision.

    ``draft`` (imported; QC could not give a verdict), ``qc_passed`` / ``qc_failed`` (the QC
    run at import or on demand), ``approved`` (by a second person: not the importer), and
    ``definitive`` (part of a wellbore's current definitive survey).
    """

    DRAFT = "draft"
    QC_PASSED = "qc_passed"
    QC_FAILED = "qc_failed"
    APPROVED = "approved"
    DEFINITIVE = "definitive"


class WellType(enum.StrEnum):
    """Well types: what the well produces or is for."""

    OIL = "Oil"
    GAS = "Gas"
    WATER = "Water"
    OTHER = "Other"


@dataclass(frozen=True, slots=True)
class TieOn:
    """The known point a survey starts from.

    ``md``, ``tvd``, ``north``, ``east`` are in the survey's depth unit; ``inc`` and ``azi`` in
    degrees (``azi`` relative to the survey's north reference). ``assumed`` is True when nobody
    stated it and the vertical-from-surface default was used.
    """

    md: float = 0.0
    inc: float = 0.0
    azi: float = 0.0
    tvd: float = 0.0
    north: float = 0.0
    east: float = 0.0
    assumed: bool = False

    @classmethod
    def surface(cls) -> TieOn:
        """The default assumption: vertical hole from MD 0, TVD 0, N 0, E 0."""
        return cls(assumed=True)


@dataclass(frozen=True, slots=True)
class Finding:
    """Something noticed about a survey: severity, stable code, plain-words message.

    ``station`` is the 0-based station index where it applies, ``line`` the 1-based line (or row)
    of the source file, ``field`` the column or element name.

    One cause found at several stations is one finding (aggregated): ``count`` stations, from
    ``md_from`` to ``md_to`` [depth unit of the survey], the ``worst`` value (the largest
    magnitude, in the unit the message gives) at station ``worst_station``, and ``stations``,
    the per-station list (dicts with ``station``, ``line``, ``md``, ``value``, ``message``).
    A finding about one station has ``count`` 1 and ``md_from == md_to``; a finding about
    the whole file has ``count`` None.
    """

    severity: Severity
    code: str
    message: str
    station: int | None = None
    line: int | None = None
    field: str | None = None
    count: int | None = None
    md_from: float | None = None
    md_to: float | None = None
    worst: float | None = None
    worst_station: int | None = None
    stations: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; the aggregation keys only when the finding has a station count."""
        out: dict[str, Any] = {
            "severity": str(self.severity),
            "code": self.code,
            "message": self.message,
            "station": self.station,
            "line": self.line,
            "field": self.field,
        }
        if self.count is not None:
            out.update(
                count=self.count,
                md_from=self.md_from,
                md_to=self.md_to,
                worst=self.worst,
                worst_station=self.worst_station,
                stations=[dict(s) for s in self.stations],
            )
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        return cls(
            severity=Severity(d["severity"]),
            code=d["code"],
            message=d["message"],
            station=d.get("station"),
            line=d.get("line"),
            field=d.get("field"),
            count=d.get("count"),
            md_from=d.get("md_from"),
            md_to=d.get("md_to"),
            worst=d.get("worst"),
            worst_station=d.get("worst_station"),
            stations=tuple(dict(s) for s in d.get("stations") or ()),
        )


def worst_severity(findings: list[Finding] | tuple[Finding, ...]) -> Severity | None:
    """The most severe finding's severity, or None when there are none."""
    if not findings:
        return None
    return max((f.severity for f in findings), key=lambda s: s.rank)


@dataclass(frozen=True, slots=True)
class Actor:
    """The authenticated user on whose behalf a service call runs."""

    id: uuid.UUID
    username: str
    role: Role


@dataclass(slots=True)
class Provenance:
    """Who stored what, when: attached to survey revisions for display and reports."""

    file_name: str
    sha256: str
    imported_by: str
    imported_at: datetime
    revision: int
    extra: dict[str, Any] = field(default_factory=dict)
