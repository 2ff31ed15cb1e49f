"""Two runs of a well compared along MD (:func:`surveylab.calc.compare.compare_surveys`).

The other run's stations are converted to the reference run's depth unit; both must use the
same north reference (else the comparison is refused and says which). The gyro in-run/out-run
tolerances (:data:`surveylab.calc.compare.GYRO_IN_OUT`) are a QC verdict where both runs are
gyro surveys (Gyro, GTL), shown for information where one is, and not shown otherwise.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import numpy as np

from surveylab.calc.compare import GYRO_IN_OUT, SurveyComparison, compare_surveys
from surveylab.calc.errors import SurveyInputError
from surveylab.calc.tables import convert_stations, stations_of
from surveylab.models import Actor
from surveylab.models.records import RunRecord
from surveylab.repositories import UnitOfWork
from surveylab.services.common import ServiceError
from surveylab.services.surveys import load_survey

#: Run types whose surveys are gyro surveys.
GYRO_TYPES = ("Gyro", "GTL")


@dataclass(frozen=True, eq=False)
class RunDifferences:
    """``other - reference`` along MD, in the reference's depth unit.

    Attributes
    ----------
    reference, other : RunRecord
        The runs compared.
    reference_revision, other_revision : int
        Their survey revisions (the current ones).
    depth_unit : str
        Unit of the lengths ("m", "ft" or "usft").
    comparison : SurveyComparison
        The differences at each compared MD [depth unit, deg].
    gyro_runs : int
        How many of the two runs are gyro surveys (0, 1 or 2).
    """

    reference: RunRecord
    other: RunRecord
    reference_revision: int
    other_revision: int
    depth_unit: str
    comparison: SurveyComparison
    gyro_runs: int

    @property
    def tolerances_apply(self) -> bool:
        """At least one run is a gyro survey: the gyro tolerances are drawn."""
        return self.gyro_runs >= 1

    @property
    def verdict(self) -> str:
        """The gyro tolerance verdict: a QC result between two gyro surveys, "for information"
        where one run is not a gyro survey, "no gyro run" where neither is."""
        if self.gyro_runs == 0:
            return "no gyro run: no tolerance applies"
        status = self.comparison.status
        if self.gyro_runs == 2:
            return status
        return f"{status} (for information: one run is not a gyro)"

    @property
    def horizontal(self) -> np.ndarray:
        """Horizontal distance sqrt(dN^2 + dE^2) at each MD [depth unit]."""
        c = self.comparison
        return np.hypot(c.d_north, c.d_east)


def compare_runs(
    uow: UnitOfWork,
    actor: Actor | None,
    reference: str | uuid.UUID,
    other: str | uuid.UUID,
    *,
    step: float | None = None,
) -> RunDifferences:
    """The current survey of ``other`` against that of ``reference`` along MD.

    Parameters
    ----------
    reference, other : str or uuid.UUID
        Run id or run number.
    step : float, optional
        MD interval [reference's depth unit]; default the reference's stations in the overlap.

    Returns
    -------
    RunDifferences

    Raises
    ------
    ServiceError
        The same run twice, a run without a survey, different north references, or surveys
        that do not overlap in MD (each message says what to do).
    """
    ref_run, ref_survey, ref_stations = load_survey(uow, actor, reference)
    oth_run, oth_survey, oth_stations = load_survey(uow, actor, other)
    if ref_run.id == oth_run.id:
        raise ServiceError(
            f"run {ref_run.run_number} was chosen twice: choose two different runs to compare"
        )
    ref_north, oth_north = str(ref_survey.azimuth_reference), str(oth_survey.azimuth_reference)
    if ref_north != oth_north:
        raise ServiceError(
            f"run {oth_run.run_number}'s azimuths are from {oth_north} north, run "
            f"{ref_run.run_number}'s from {ref_north} north: set the same north reference "
            "on both (re-import with the reference stated) before comparing"
        )
    unit = str(ref_survey.depth_unit)
    converted, _ = convert_stations(oth_stations, oth_survey.depth_unit, unit)
    try:
        result = compare_surveys(
            stations_of(ref_stations), stations_of(converted), step=step, tolerance=GYRO_IN_OUT
        )
    except SurveyInputError as exc:
        raise ServiceError(
            f"runs {ref_run.run_number} and {oth_run.run_number} cannot be compared: {exc}; "
            "choose runs of the same wellbore that overlap in MD"
        ) from None
    gyros = sum(r.run_type in GYRO_TYPES for r in (ref_run, oth_run))
    return RunDifferences(
        ref_run, oth_run, ref_survey.revision, oth_survey.revision, unit, result, gyros
    )
