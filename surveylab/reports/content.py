"""The report notebooks' entry point: a report's sections, prepared by the renderer or built here.

:func:`surveylab.reports.render.render_report` builds a report's sections (HTML text) in its own
process while papermill starts the notebook's kernel, and hands them over in a file named by the
``SURVEYLAB_REPORT_CONTENT`` environment variable. The notebook's kernel then only displays
them: it never imports pandas, SQLAlchemy, DuckDB or matplotlib, whose imports were most of a
report's time (bench/RESULTS.md, Reports). The content is used only when it was prepared for
exactly the notebook's parameters; otherwise (a notebook run by hand in JupyterLab, parameters
that differ, or a renderer that could not prepare it) the kernel builds the report itself with
:class:`surveylab.reports.survey.SurveyReport` or :class:`surveylab.reports.well.WellReport`, which
show the same sections.

This module imports nothing heavy; keep it so.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

#: Environment variable naming the file of prepared content (set by the renderer for its kernel).
ENV_CONTENT = "SURVEYLAB_REPORT_CONTENT"
#: How long a kernel waits for the renderer's content before building the report itself [s].
WAIT_S = 300.0
_POLL_S = 0.005


class Report(Protocol):
    """What a report notebook displays: each section as HTML."""

    def html(self, section: str) -> str: ...


@dataclass(frozen=True)
class PreparedReport:
    """Sections prepared by the renderer: ``html(section)`` as the report builders give it."""

    kind: str
    parameters: dict[str, Any]
    sections: dict[str, str]

    def html(self, section: str) -> str:
        try:
            return self.sections[section]
        except KeyError:
            raise KeyError(f"the prepared {self.kind} report has no section {section!r}") from None


def survey_parameters(
    run: str, revision: int | None, units: str, vs_azimuth: float | None
) -> dict[str, Any]:
    """The parameters a survey report's content depends on, as the notebook states them."""
    return {"run": str(run), "revision": revision, "units": units, "vs_azimuth": vs_azimuth}


def well_parameters(well: str, units: str, vs_azimuth: float | None) -> dict[str, Any]:
    """The parameters a well report's content depends on, as the notebook states them."""
    return {"well": str(well), "units": units, "vs_azimuth": vs_azimuth}


def write_prepared(path: Path, kind: str, parameters: dict[str, Any], sections: dict[str, str]):
    """Write prepared sections to ``path`` whole: a reader never sees a partial file."""
    _write(path, {"kind": kind, "parameters": parameters, "sections": sections})


def write_failed(path: Path, reason: str) -> None:
    """Tell the waiting kernel that nothing will be prepared (it builds the report itself)."""
    _write(path, {"failed": reason})


def _write(path: Path, payload: dict[str, Any]) -> None:
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(payload), encoding="utf-8")
    os.replace(part, path)


def wait_prepared(
    path: Path, kind: str, parameters: dict[str, Any], timeout_s: float = WAIT_S
) -> PreparedReport | None:
    """The content at ``path`` once it is written, if it was prepared for ``kind`` and exactly
    ``parameters``; None when the renderer gave up, the content is for something else, or
    nothing came within ``timeout_s`` [s]."""
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if time.monotonic() > deadline:
            return None
        time.sleep(_POLL_S)
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(payload, dict) or "failed" in payload:
        return None
    if payload.get("kind") != kind or payload.get("parameters") != parameters:
        return None
    sections = payload.get("sections")
    if not isinstance(sections, dict) or not all(isinstance(v, str) for v in sections.values()):
        return None
    return PreparedReport(kind, parameters, sections)


def _prepared(kind: str, parameters: dict[str, Any]) -> PreparedReport | None:
    path = os.environ.get(ENV_CONTENT)
    return wait_prepared(Path(path), kind, parameters) if path else None


def survey_report(
    run: str, revision: int | None = None, units: str = "m", vs_azimuth: float | None = None
) -> Report:
    """The survey report of ``run`` for a report notebook: prepared by the renderer for these
    parameters, else built here (token from ``SURVEYLAB_TOKEN`` / ``SURVEYLAB_TOKEN_FILE``).

    Raises
    ------
    RuntimeError
        Built here without a token in the environment.
    ServiceError
        Built here for a run or revision that does not exist or may not be read.
    """
    prepared = _prepared("survey", survey_parameters(run, revision, units, vs_azimuth))
    if prepared is not None:
        return prepared
    from surveylab.reports.survey import SurveyReport

    return SurveyReport.build(run, revision=revision, units=units, vs_azimuth=vs_azimuth)


def well_report(well: str, units: str = "m", vs_azimuth: float | None = None) -> Report:
    """The well report of ``well`` for a report notebook: prepared by the renderer for these
    parameters, else built here (as :func:`survey_report`)."""
    prepared = _prepared("well", well_parameters(well, units, vs_azimuth))
    if prepared is not None:
        return prepared
    from surveylab.reports.well import WellReport

    return WellReport.build(well, units=units, vs_azimuth=vs_azimuth)
