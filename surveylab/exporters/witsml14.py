"""WITSML 1.4.1.1 ``trajectorys`` document (Energistics WITSML 1.4.1.1 data schema)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from surveylab.exporters._common import WitsmlWriter
from surveylab.models.survey import ParsedSurvey

if TYPE_CHECKING:
    from surveylab.calc import Trajectory

NAMESPACE = "http://www.witsml.org/schemas/1series"


def write_witsml14(survey: ParsedSurvey, trajectory: Trajectory | None = None) -> bytes:
    """WITSML 1.4.1.1 ``trajectorys`` document (angles in dega, lengths in the survey's unit).

    Parameters
    ----------
    survey : ParsedSurvey
        The survey (md [depth unit], inc and azi [deg]); its depth unit must be known [-].
    trajectory : surveylab.calc.Trajectory, optional
        Computed positions to write [-].
    """
    writer = WitsmlWriter(survey, trajectory, v20=False)
    h = survey.header
    doc = ET.Element("trajectorys", {"xmlns": NAMESPACE, "version": "1.4.1.1"})
    traj = ET.SubElement(doc, "trajectory", {"uid": "surveylab"})
    writer.sub(traj, "nameWell", h.well_name)
    writer.sub(traj, "nameWellbore", h.wellbore_name)
    writer.sub(traj, "name", h.run_name)
    writer.add_body(traj)
    return writer.serialise(doc)
