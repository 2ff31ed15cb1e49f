"""Survey exports: CSV, XLSX, LAS 2.0, WITSML 1.4.1.1 and 2.0 (bytes out).

One module per format (:mod:`.csv`, :mod:`.xlsx`, :mod:`.las`, :mod:`.witsml14`,
:mod:`.witsml20`); what they share is in :mod:`._common`.

Every writer takes a :class:`~surveylab.models.survey.ParsedSurvey` and, optionally, its computed
trajectory (:class:`surveylab.calc.Trajectory`); without one, the vendor TVD/N/E the file printed
(if any) are written. Reading an export back with :func:`surveylab.parsers.read_survey` gives the
same stations (md, inc, azi, projected, used) and header metadata. Exceptions: a WITSML
trajectory holds no operator, CRS, surface location or depth datum (they live in the Well and
Wellbore objects), WITSML 2.0 no well name, and a tie-on only when it is a station of the
listing; ``angle_unit`` records the unit of the exported file (degrees); XLSX keeps 15-16
significant digits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from surveylab.exporters._common import ExportError
from surveylab.exporters.csv import write_csv
from surveylab.exporters.las import write_las
from surveylab.exporters.witsml14 import write_witsml14
from surveylab.exporters.witsml20 import write_witsml20
from surveylab.exporters.xlsx import write_xlsx
from surveylab.models.survey import ParsedSurvey

if TYPE_CHECKING:
    from surveylab.calc import Trajectory

__all__ = [
    "EXPORT_FORMATS",
    "ExportError",
    "export",
    "write_csv",
    "write_las",
    "write_witsml14",
    "write_witsml20",
    "write_xlsx",
]

_WRITERS: dict[str, Callable[[ParsedSurvey, Trajectory | None], bytes]] = {
    "csv": write_csv,
    "xlsx": write_xlsx,
    "las": write_las,
    "witsml": write_witsml14,
    "witsml14": write_witsml14,
    "witsml20": write_witsml20,
}
#: Names accepted by :func:`export` (``witsml`` means 1.4.1.1).
EXPORT_FORMATS: tuple[str, ...] = tuple(_WRITERS)


def export(survey: ParsedSurvey, fmt: str, trajectory: Trajectory | None = None) -> bytes:
    """Write ``survey`` in format ``fmt`` (one of :data:`EXPORT_FORMATS`).

    Parameters
    ----------
    survey : ParsedSurvey
        The survey [-].
    fmt : str
        csv, xlsx, las, witsml (1.4.1.1), witsml14 or witsml20 [-].
    trajectory : surveylab.calc.Trajectory, optional
        Computed positions to write [-].
    """
    writer = _WRITERS.get(fmt.lower())
    if writer is None:
        raise ExportError(
            f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}"
        )
    return writer(survey, trajectory)
