"""What a parsed survey file is: header metadata as fields, stations, vendor columns, findings.

A field the file did not state is ``None`` (and the parser adds a finding); never a default that
looks like data.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from surveylab.models import DepthUnit, Finding, NorthReference, TieOn, worst_severity

#: Columns of ``ParsedSurvey.stations`` (md [depth unit], inc [deg], azi [deg], flags).
STATION_COLUMNS = ("md", "inc", "azi", "projected", "used")
#: Optional vendor-computed columns kept aside for comparison (``ParsedSurvey.vendor``).
VENDOR_COLUMNS = ("tvd", "north", "east", "vs", "dls")


@dataclass(slots=True)
class SurveyHeader:
    """Header metadata of a survey file. Angles in degrees; lengths in ``depth_unit``.

    Sign conventions (README, "Units and north references"): declination positive east;
    convergence positive when grid north is east of true north; total correction
    (magnetic -> grid) = declination - convergence.
    """

    well_name: str | None = None
    wellbore_name: str | None = None
    run_name: str | None = None
    tool: str | None = None
    survey_date: str | None = None  # ISO 8601 text as the file gave it, normalised when possible
    depth_unit: DepthUnit | None = None
    angle_unit: str | None = (
        None  # "deg" or "rad" as found in the file (values are converted to deg)
    )
    azimuth_reference: NorthReference = NorthReference.UNKNOWN
    declination: float | None = None
    declination_source: str | None = None
    grid_convergence: float | None = None
    convergence_source: str | None = None
    total_correction: float | None = None
    scale_factor: float | None = None
    depth_datum: str | None = None  # e.g. "RKB", "DF", "RT", "MSL"
    datum_elevation: float | None = None  # above MSL, in depth_unit
    crs: str | None = None
    surface_x: float | None = None  # easting / longitude in the CRS
    surface_y: float | None = None  # northing / latitude in the CRS
    tie_on: TieOn | None = None
    vs_azimuth: float | None = None
    calculation_method: str | None = None
    operator: str | None = None
    # the reference field the file states for raw-sensor QC (e.g. "Reference Btotal")
    ref_btotal_nt: float | None = None  # total magnetic field [nT]
    ref_dip_deg: float | None = None  # magnetic dip [deg], positive down
    ref_gtotal_g: float | None = None  # local gravity [g]
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (enums as their values, tie-on as a dict)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if isinstance(v, TieOn):
                v = dataclasses.asdict(v)
            elif isinstance(v, (DepthUnit, NorthReference)):
                v = v.value
            out[f.name] = v
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SurveyHeader:
        known = {f.name for f in dataclasses.fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        if kw.get("depth_unit") is not None:
            kw["depth_unit"] = DepthUnit(kw["depth_unit"])
        kw["azimuth_reference"] = NorthReference(kw.get("azimuth_reference") or "unknown")
        if kw.get("tie_on") is not None:
            kw["tie_on"] = TieOn(**kw["tie_on"])
        return cls(**kw)


@dataclass(slots=True)
class ParsedSurvey:
    """The result of reading one survey file.

    ``stations`` has the columns of :data:`STATION_COLUMNS` (md, inc, azi as given, converted to
    degrees; ``projected`` and ``used`` booleans). ``vendor`` holds whatever of
    :data:`VENDOR_COLUMNS` the file printed, row-aligned with ``stations`` (empty frame when none).
    ``extra_columns`` holds the columns no role claims (raw sensor readings Gx..Bz, build and
    turn rates, comments...), under their names in the file and row-aligned with ``stations``;
    ``extra_units`` gives the unit each printed (None when it printed none). ``lines`` is the
    1-based source line (or row) of each station, ``vendor_decimals`` the printed decimals of
    each vendor column (the checks' tolerance).
    """

    format: str
    source_name: str
    header: SurveyHeader
    stations: pd.DataFrame
    vendor: pd.DataFrame = field(default_factory=pd.DataFrame)
    raw_header: str = ""
    raw_footer: str = ""
    findings: list[Finding] = field(default_factory=list)
    extra_columns: pd.DataFrame = field(default_factory=pd.DataFrame)
    extra_units: dict[str, str | None] = field(default_factory=dict)
    lines: list[int | None] = field(default_factory=list)
    vendor_decimals: dict[str, int] = field(default_factory=dict)

    @property
    def station_count(self) -> int:
        return len(self.stations)

    @property
    def worst(self):
        return worst_severity(self.findings)
