"""What a reader hands to the survey builder: :class:`RawSurvey`.

A module of its own so that the builder (:mod:`surveylab.parsers._common`) and the checks
(:mod:`surveylab.parsers.checks`) both import it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from surveylab.models import TieOn

#: A column of numbers as readers collect them: a list, or a numpy array (large files).
Floats: TypeAlias = "list[float] | npt.NDArray[np.float64]"
#: A column of station flags: a list, or a numpy bool array.
Flags: TypeAlias = "list[bool] | npt.NDArray[np.bool_]"


@dataclass(slots=True)
class RawSurvey:
    """What a reader found, before checks: plain lists, in the file's units (angles in deg).

    ``lines`` holds the 1-based source line (or row) of every station, ``tie_index`` the station
    that the file marks as its tie-on, ``vendor`` named vendor columns aligned with the stations,
    ``vendor_decimals`` the printed precision of each vendor column. ``extra`` holds the columns
    no role claims (raw sensor readings, build and turn rates...), by their names in the file,
    aligned with the stations; ``extra_units`` their units as the file printed them.
    """

    md: Floats = field(default_factory=list)
    inc: Floats = field(default_factory=list)
    azi: Floats = field(default_factory=list)
    projected: Flags = field(default_factory=list)
    used: Flags = field(default_factory=list)
    lines: list[int | None] = field(default_factory=list)
    vendor: dict[str, Floats] = field(default_factory=dict)
    vendor_decimals: dict[str, int] = field(default_factory=dict)
    tie_index: int | None = None
    tie_on: TieOn | None = None
    extra: dict[str, list[object]] = field(default_factory=dict)
    extra_units: dict[str, str | None] = field(default_factory=dict)
