"""The one error type of the calculation engine."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["SurveyInputError"]


class SurveyInputError(ValueError):
    """Survey input the engine refuses, naming the station (1-based) and its MD.

    Attributes
    ----------
    station : int or None
        0-based index of the offending station (None when the problem is not one station).
    field : str or None
        The quantity at fault: "md", "inc", "azi", "tie_on", ...
    well : int or None
        0-based index of the survey at fault when many were computed in one call (None
        otherwise); ``station`` then counts within that survey.
    """

    def __init__(
        self,
        message: str,
        *,
        station: int | None = None,
        field: str | None = None,
        well: int | None = None,
    ):
        super().__init__(message)
        self.station = station
        self.field = field
        self.well = well


def station_label(index: int, md: float) -> str:
    """``"station 5 (MD 1234.5)"`` for the 0-based ``index``."""
    return f"station {index + 1} (MD {md:g})"


def well_label(index: int, names: Sequence[str] | None = None) -> str:
    """``"well 3"`` or ``"well 3 ('F-11 A')"`` for the 0-based ``index`` of a survey."""
    if names is None:
        return f"well {index + 1}"
    return f"well {index + 1} ({names[index]!r})"
