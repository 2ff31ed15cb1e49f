"""``/wells``: list, create, read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Response

from surveylab.api.deps import SessionDep
from surveylab.api.errors import problems
from surveylab.api.schemas import WellIn, WellOut, well_out

router = APIRouter(prefix="/wells", tags=["wells"])


@router.get("", response_model=list[WellOut], responses=problems(401))
def list_wells(s: SessionDep) -> Any:
    """Every well, by name."""
    return [well_out(w) for w in s.wells()]


@router.post("", status_code=201, response_model=WellOut, responses=problems(401, 403, 409, 422))
def create_well(body: WellIn, s: SessionDep, response: Response) -> Any:
    """Create a well (Admin, Engineer, Surveyor)."""
    extra = body.model_dump(exclude={"well_name", "well_type"}, exclude_none=True, mode="json")
    well = s.create_well(body.well_name, body.well_type.value, **extra)
    response.headers["Location"] = f"/api/v1/wells/{well.id}"
    return well_out(well)


@router.get("/{well}", response_model=WellOut, responses=problems(401, 404))
def get_well(s: SessionDep, well: str = Path(description="well name or id")) -> Any:
    """One well, by name or id."""
    return well_out(s.well(well))
