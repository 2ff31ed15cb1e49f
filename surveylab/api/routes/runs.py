"""``/runs``: the caller's runs (or all), filtered, sorted and paged; create, read, change,
delete. ``{run}`` is the run's id or its run number."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Path, Query, Response

from surveylab.api.deps import SessionDep
from surveylab.api.errors import problems
from surveylab.api.schemas import JSONBytes, RunIn, RunOut, RunPage, RunPatch, RunSort, run_out
from surveylab.models import RunType, SurveyStatus

router = APIRouter(prefix="/runs", tags=["runs"])

RunRef = Annotated[str, Path(description="run id or run number", max_length=255)]


@router.get("", response_model=RunPage, responses=problems(401, 404, 422))
def list_runs(
    s: SessionDep,
    scope: Annotated[
        Literal["mine", "all"], Query(description="mine: the caller's own runs")
    ] = "mine",
    well: Annotated[str | None, Query(max_length=255, description="well name or id")] = None,
    type: Annotated[RunType | None, Query(description="run type")] = None,
    owner: Annotated[str | None, Query(max_length=1024, description="owner's username")] = None,
    q: Annotated[str | None, Query(max_length=255, description="text in number or name")] = None,
    changed_since: Annotated[
        datetime | None, Query(description="survey changed at or after (UTC if no offset)")
    ] = None,
    status: Annotated[
        SurveyStatus | None, Query(description="status of the current survey revision")
    ] = None,
    sort: Annotated[RunSort, Query(description="sort key; a leading - sorts down")] = (
        "run_number"
    ),
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Any:
    """Runs, the caller's own by default (``scope=all`` for everyone's), one page at a time."""
    if changed_since is not None and changed_since.tzinfo is None:
        changed_since = changed_since.replace(tzinfo=UTC)
    filters: dict[str, Any] = {
        "mine": scope == "mine",
        "well": well,
        "run_type": type.value if type else None,
        "owner": owner,
        "search": q,
        "changed_since": changed_since,
        "status": status.value if status else None,
    }
    with s.batch():
        total = s.count_runs(**filters)
        items = s.runs(
            **filters,
            order_by=sort.lstrip("-"),
            descending=sort.startswith("-"),
            limit=page_size,
            offset=(page - 1) * page_size,
        )
    doc = {
        "items": [run_out(r) for r in items],
        "total": total,
        "page": page,
        "page_size": page_size,
    }
    return JSONBytes(orjson.dumps(doc))


@router.post(
    "", status_code=201, response_model=RunOut, responses=problems(401, 403, 404, 409, 422)
)
def create_run(body: RunIn, s: SessionDep, response: Response) -> Any:
    """Create a run owned by the caller (Admin, Engineer, Surveyor)."""
    run = s.create_run(body.run_number, body.run_name, body.run_type.value, body.well)
    response.headers["Location"] = f"/api/v1/runs/{run.id}"
    return run_out(run)


@router.get("/{run}", response_model=RunOut, responses=problems(401, 404))
def get_run(run: RunRef, s: SessionDep) -> Any:
    """One run."""
    return run_out(s.run(run))


@router.patch("/{run}", response_model=RunOut, responses=problems(401, 403, 404, 409, 422))
def update_run(run: RunRef, body: RunPatch, s: SessionDep) -> Any:
    """Change a run's number, name, type or well (its owner or an Admin)."""
    values = body.model_dump(exclude_unset=True, mode="json")
    for key in ("run_number", "run_name", "run_type"):
        if key in values and values[key] is None:
            del values[key]  # null means "unchanged" for these; only the well can be cleared
    return run_out(s.update_run(run, **values))


@router.delete("/{run}", status_code=204, responses=problems(401, 403, 404))
def delete_run(run: RunRef, s: SessionDep) -> Response:
    """Delete a run with its files and surveys (its owner or an Admin)."""
    s.delete_run(run)
    return Response(status_code=204)
