"""Export a stored survey revision (CSV, XLSX, LAS, WITSML) with its computed trajectory."""

from __future__ import annotations

import dataclasses
import re
import uuid

from surveylab.calc import compute_trajectory, default_vs_azimuth
from surveylab.exporters import export
from surveylab.models import Actor
from surveylab.models.survey import ParsedSurvey
from surveylab.repositories import UnitOfWork
from surveylab.services.definitive import definitive_parsed, get_definitive
from surveylab.services.surveys import load_survey

EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "las": "las", "witsml": "xml", "witsml20": "xml"}


def export_survey(
    uow: UnitOfWork,
    actor: Actor | None,
    run: str | uuid.UUID,
    fmt: str,
    revision: int | None = None,
    *,
    vs_azimuth: float | None = None,
) -> tuple[str, bytes]:
    """(file name, bytes) of a run's survey revision in ``fmt``; reading it back gives the
    same stations and header.

    The vertical section [depth unit] is written along ``vs_azimuth`` [deg] from the
    wellhead (N 0, E 0); default the survey's azimuth, else the closure direction of its last
    station (:func:`surveylab.calc.default_vs_azimuth`). The header names the azimuth used.
    """
    run_rec, survey, stations = load_survey(uow, actor, run, revision)
    if vs_azimuth is None:
        vs_azimuth = survey.vs_azimuth
    if vs_azimuth is None:
        vs_azimuth = default_vs_azimuth(stations["north"], stations["east"])
    parsed = ParsedSurvey(
        format="stored",
        source_name=survey.file_name or run_rec.run_number,
        header=dataclasses.replace(survey.header, vs_azimuth=float(vs_azimuth)),
        stations=stations[["md", "inc", "azi", "projected", "used"]].copy(),
        findings=list(survey.findings),
    )
    parsed.header.depth_unit = survey.depth_unit
    traj = compute_trajectory(
        stations["md"].to_numpy(),
        stations["inc"].to_numpy(),
        stations["azi"].to_numpy(),
        depth_unit=survey.depth_unit,
        tie_on=survey.header.tie_on,
        vs_azimuth=float(vs_azimuth),
    )
    data = export(parsed, fmt, traj)
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{run_rec.run_number}_rev{survey.revision}")
    return f"{base}.{EXTENSIONS.get(fmt, fmt)}", data


def export_definitive(
    uow: UnitOfWork,
    actor: Actor | None,
    well: str | uuid.UUID,
    wellbore: str | None,
    fmt: str,
    *,
    version: int | None = None,
) -> tuple[str, bytes]:
    """(file name, bytes) of a wellbore's definitive survey (current, or ``version``) in
    ``fmt``, marked definitive with its tool program (header lines; WITSML ``definitive``)."""
    view = get_definitive(uow, actor, well, wellbore, version=version)
    parsed, traj = definitive_parsed(view)
    data = export(parsed, fmt, traj)
    where = f"{view.wellbore.well_name}_{view.wellbore.name}_definitive_v{view.record.version}"
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", where)
    return f"{base}.{EXTENSIONS.get(fmt, fmt)}", data
