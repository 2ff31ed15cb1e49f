"""Survey files: upload into a run (each file its next revision), list, read, download."""

from __future__ import annotations

import math
import uuid
from pathlib import PurePosixPath
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Response, UploadFile

from surveylab.api.deps import SessionDep
from surveylab.api.errors import problems
from surveylab.api.routes.runs import RunRef
from surveylab.api.schemas import SurveyFileOut, UploadOut, file_out, import_out
from surveylab.models import DepthUnit, NorthReference
from surveylab.services import ServiceError, surveys

router = APIRouter(tags=["files"])


def upload_name(upload: UploadFile) -> str:
    """The file name an upload gives, without any folder part ("upload" when none)."""
    name = PurePosixPath((upload.filename or "").replace("\\", "/")).name
    return name or "upload"


def header_overrides(**fields: Any) -> dict[str, Any]:
    """The header fields a form set (``tie_on`` text as its comma-separated numbers).

    Raises
    ------
    ServiceError
        ``tie_on`` is not up to six finite numbers.
    """
    out = {k: v for k, v in fields.items() if v is not None and v != ""}
    if "tie_on" in out:
        try:
            numbers = [float(p) for p in str(out["tie_on"]).split(",")]
        except ValueError:
            numbers = []
        if not numbers or len(numbers) > 6 or not all(math.isfinite(v) for v in numbers):
            raise ServiceError(
                f"tie_on must be up to 6 comma-separated numbers (md,inc,azi,tvd,north,east), "
                f"got {out['tie_on']!r}"
            )
        out["tie_on"] = numbers
    for key in ("depth_unit", "azimuth_reference"):
        if key in out:
            out[key] = str(out[key].value)
    return out


Angle = Annotated[float | None, Form(allow_inf_nan=False, description="[deg]")]


@router.post(
    "/runs/{run}/files",
    status_code=201,
    response_model=UploadOut,
    responses=problems(
        401,
        403,
        404,
        413,
        422,
        extra={200: {"description": "every file was uploaded before", "model": UploadOut}},
    ),
)
def upload_files(
    run: RunRef,
    s: SessionDep,
    response: Response,
    file: Annotated[list[UploadFile], File(description="one or more survey files")],
    depth_unit: Annotated[DepthUnit | None, Form()] = None,
    azimuth_reference: Annotated[NorthReference | None, Form()] = None,
    declination: Angle = None,
    grid_convergence: Angle = None,
    total_correction: Angle = None,
    vs_azimuth: Angle = None,
    tie_on: Annotated[
        str | None, Form(max_length=200, description="md,inc,azi,tvd,north,east")
    ] = None,
    depth_datum: Annotated[str | None, Form(max_length=50)] = None,
    datum_elevation: Annotated[float | None, Form(allow_inf_nan=False)] = None,
) -> Any:
    """Import survey files into a run, in order, each as its next revision.

    Header fields the files do not state (or got wrong) can be set with the form fields. A file
    that cannot be read or computed is refused (422 naming the file, line and field) and
    nothing of the upload is stored. Bytes uploaded into this run before answer 200 with
    their existing revision and ``duplicate`` true.
    """
    overrides = header_overrides(
        depth_unit=depth_unit,
        azimuth_reference=azimuth_reference,
        declination=declination,
        grid_convergence=grid_convergence,
        total_correction=total_correction,
        vs_azimuth=vs_azimuth,
        tie_on=tie_on,
        depth_datum=depth_datum,
        datum_elevation=datum_elevation,
    )
    files = [(upload_name(f), f.file.read()) for f in file]
    results = s.call(surveys.import_surveys, run=run, files=files, overrides=overrides)
    imports = [import_out(r) for r in results]
    if all(r.duplicate for r in results):
        response.status_code = 200
    return {**imports[-1], "imports": imports}


@router.get("/runs/{run}/files", response_model=list[SurveyFileOut], responses=problems(401, 404))
def list_files(run: RunRef, s: SessionDep) -> Any:
    """The files uploaded into a run, oldest first."""
    return [file_out(f) for f in s.call(surveys.list_files, run)]


@router.get("/files/{file_id}", response_model=SurveyFileOut, responses=problems(401, 404, 422))
def get_file(s: SessionDep, file_id: Annotated[uuid.UUID, Path()]) -> Any:
    """One uploaded file's name, size, SHA-256, format, uploader and time."""
    return file_out(s.call(surveys.get_file, file_id))


@router.get(
    "/files/{file_id}/content",
    response_class=Response,
    responses=problems(
        401,
        404,
        422,
        extra={
            200: {
                "description": "the bytes exactly as uploaded",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        },
    ),
)
def file_content(s: SessionDep, file_id: Annotated[uuid.UUID, Path()]) -> Response:
    """The bytes of an uploaded file, exactly as received."""
    with s.batch():
        record = s.call(surveys.get_file, file_id)
        content = s.file_content(file_id)
    disposition = f"attachment; filename*=UTF-8''{quote(record.file_name, safe='')}"
    return Response(
        content,
        media_type="application/octet-stream",
        headers={"Content-Disposition": disposition, "X-Content-SHA256": record.sha256},
    )
