"""``POST /compute``: a survey file in, its computed stations out; nothing stored."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, File, Form, Response, UploadFile

from surveylab.api.deps import SessionDep, SettingsDep
from surveylab.api.errors import problems
from surveylab.api.routes.files import Angle, header_overrides, upload_name
from surveylab.api.schemas import ComputeOut, JSONBytes, json_ready, station_rows
from surveylab.models import DepthUnit, NorthReference
from surveylab.services import surveys

router = APIRouter(tags=["compute"])


@router.post("/compute", response_model=ComputeOut, responses=problems(401, 413, 422))
def compute(
    s: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="a survey file of any supported format")],
    depth_unit: Annotated[DepthUnit | None, Form()] = None,
    azimuth_reference: Annotated[NorthReference | None, Form()] = None,
    declination: Angle = None,
    grid_convergence: Angle = None,
    vs_azimuth: Angle = None,
    tie_on: Annotated[
        str | None, Form(max_length=200, description="md,inc,azi,tvd,north,east")
    ] = None,
) -> Response:
    """Read and compute a survey file as an import would (minimum curvature; lengths in the
    file's depth unit), storing nothing: like ``surveylab compute``."""
    s.actor  # noqa: B018 - any authenticated user
    overrides = header_overrides(
        depth_unit=depth_unit,
        azimuth_reference=azimuth_reference,
        declination=declination,
        grid_convergence=grid_convergence,
        vs_azimuth=vs_azimuth,
        tie_on=tie_on,
    )
    name = upload_name(file)
    done = surveys.compute_file(
        file.file.read(), name, overrides, max_bytes=settings.max_upload_bytes
    )
    h = done.parsed.header
    doc: dict[str, Any] = {
        "file_name": name,
        "format": done.parsed.format,
        "depth_unit": str(h.depth_unit),
        "azimuth_reference": str(h.azimuth_reference),
        "method": done.method,
        "dls_course_length": done.dls_course_length,
        "vs_azimuth": h.vs_azimuth,
        "header": json_ready(h.to_dict()),
        "findings": [f.to_dict() for f in done.findings],
        "assumptions": list(done.assumptions),
        "stations": station_rows(done.stations),
    }
    return JSONBytes(orjson.dumps(doc, option=orjson.OPT_NON_STR_KEYS))
