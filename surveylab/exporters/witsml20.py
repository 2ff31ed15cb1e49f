"""WITSML 2.0 ``Trajectory`` data object (Energistics WITSML 2.0, common schema 2.x)."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from surveylab.exporters._common import WitsmlWriter, xml_safe
from surveylab.models.survey import ParsedSurvey

if TYPE_CHECKING:
    from surveylab.calc import Trajectory

NAMESPACE = "http://www.energistics.org/energyml/data/witsmlv2"
COMMON_NAMESPACE = "http://www.energistics.org/energyml/data/commonv2"


def write_witsml20(survey: ParsedSurvey, trajectory: Trajectory | None = None) -> bytes:
    """WITSML 2.0 ``Trajectory`` object (angles in dega, lengths in the survey's unit).

    Parameters
    ----------
    survey : ParsedSurvey
        The survey (md [depth unit], inc and azi [deg]); its depth unit must be known [-].
    trajectory : surveylab.calc.Trajectory, optional
        Computed positions to write [-].
    """
    writer = WitsmlWriter(survey, trajectory, v20=True)
    h = survey.header
    traj = ET.Element(
        "Trajectory",
        {
            "xmlns": NAMESPACE,
            "xmlns:eml": COMMON_NAMESPACE,
            "schemaVersion": "2.0",
            "uuid": str(uuid.uuid4()),
        },
    )
    cit = ET.SubElement(traj, "Citation")
    if h.run_name:
        ET.SubElement(cit, "eml:Title").text = xml_safe(h.run_name)
    if h.wellbore_name:
        wb = ET.SubElement(traj, "Wellbore")
        ET.SubElement(wb, "eml:Title").text = xml_safe(h.wellbore_name)
    writer.add_body(traj)
    return writer.serialise(traj)
