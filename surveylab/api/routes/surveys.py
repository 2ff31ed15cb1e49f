"""A run's survey: stations (JSON or CSV, in any depth unit, with vertical sections along any
azimuth), its revisions, and the differences between two revisions."""

from __future__ import annotations

import io
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request, Response

from surveylab.api.deps import SessionDep
from surveylab.api.errors import problems
from surveylab.api.routes.runs import RunRef
from surveylab.api.schemas import (
    STATION_FIELDS,
    DiffOut,
    JSONBytes,
    SurveyOut,
    SurveyRevisionOut,
    diff_rows,
    revision_out,
    run_out,
    station_rows,
)
from surveylab.models import DepthUnit
from surveylab.services import surveys
from surveylab.units import unit_label

router = APIRouter(prefix="/runs/{run}", tags=["surveys"])

Revision = Annotated[int, Query(ge=1, le=2**31 - 1)]


def wants_csv(request: Request) -> bool:
    """Whether the request asks for CSV (``Accept: text/csv``) rather than JSON."""
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and "application/json" not in accept


def _csv(table: surveys.SurveyTable) -> bytes:
    u = unit_label(table.depth_unit)
    rate = f"deg/{table.dls_course_length:g} {u}"
    units = {"md": u, "tvd": u, "north": u, "east": u, "vs": u, "inc": "deg", "azi": "deg"}
    units |= {"dls": rate, "build_rate": rate, "turn_rate": rate, "dogleg": "deg"}
    units |= {"toolface": "deg"}
    cols = [c for c in STATION_FIELDS if c in table.stations]
    out = io.StringIO()
    table.stations[cols].rename(columns={c: f"{c} [{units[c]}]" for c in cols}).to_csv(
        out, index=False, float_format="%.10g", lineterminator="\n"
    )
    return out.getvalue().encode()


@router.get(
    "/survey",
    response_model=SurveyOut,
    responses=problems(
        401,
        404,
        422,
        extra={
            200: {
                "description": "the stations (JSON, or CSV with Accept: text/csv)",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        },
    ),
)
def get_survey(
    run: RunRef,
    s: SessionDep,
    request: Request,
    revision: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="default current")] = (
        None
    ),
    units: Annotated[DepthUnit | None, Query(description="default the survey's own")] = None,
    vs_azimuth: Annotated[
        float | None, Query(allow_inf_nan=False, description="[deg]; default the survey's")
    ] = None,
) -> Response:
    """A revision's computed stations (default the current revision, in the survey's unit)."""
    table = s.call(surveys.survey_table, run, revision, units=units, vs_azimuth=vs_azimuth)
    if wants_csv(request):
        name = f"{table.run.run_number}_rev{table.survey.revision}.csv"
        return Response(
            _csv(table),
            media_type="text/csv",
            headers={"Content-Disposition": f'inline; filename="{name}"'},
        )
    doc = {
        "run": run_out(table.run),
        "revision": table.survey.revision,
        "depth_unit": str(table.depth_unit),
        "azimuth_reference": str(table.survey.azimuth_reference),
        "dls_course_length": table.dls_course_length,
        "vs_azimuth": table.vs_azimuth,
        "survey": revision_out(table.survey),
        "stations": station_rows(table.stations),
    }
    return JSONBytes(orjson.dumps(doc))


@router.get("/history", response_model=list[SurveyRevisionOut], responses=problems(401, 404))
def history(run: RunRef, s: SessionDep) -> Any:
    """Every revision of the run's survey, oldest first."""
    return [revision_out(r) for r in s.history(run)]


@router.get("/diff", response_model=DiffOut, responses=problems(401, 404, 422))
def diff(
    run: RunRef,
    s: SessionDep,
    from_: Annotated[int, Query(alias="from", ge=1, le=2**31 - 1)],
    to: Revision,
) -> Response:
    """Stations of two revisions matched on MD: ``<x>_a`` (from), ``<x>_b`` (to) and
    ``d_<x>`` (to - from) for inc, azi, tvd, north, east, in the ``from`` revision's unit."""
    frame = s.compare_revisions(run, from_, to)
    doc = {
        "run": run,
        "from_revision": from_,
        "to_revision": to,
        "depth_unit": frame.attrs.get("depth_unit", "m"),
        "stations": diff_rows(frame),
    }
    return JSONBytes(orjson.dumps(doc))
