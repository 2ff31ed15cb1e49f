"""The one place that turns errors into HTTP answers: ``application/problem+json`` (RFC 9457).

Every answer that is not a success carries ``type`` (a URN naming the kind of problem),
``title``, ``status`` and ``detail`` (the service's own plain-words message), plus ``file``,
``line`` and ``field`` where the error names them, and ``errors`` (each invalid input) for a
request the API could not validate. No traceback ever leaves the server; an unexpected error
answers 500 with a generic detail and is logged here.

- 401 with ``WWW-Authenticate: Bearer``: no, invalid, expired or revoked token
  (AuthenticationError);
- 403: a role or ownership refusal (PermissionDenied; the services audit it);
- 404: an unknown run, well, file, user or report (NotFound);
- 409: a run number, run name, well name or username taken (Conflict); a report not rendered;
- 413: a body over the size limit (:mod:`.middleware`);
- 422: invalid input: the request's own validation, a survey file refused (SurveyFileError,
  with file, line and field), a refused value (ServiceError, SurveyInputError, UnitError), a
  weak password;
- 429 with ``Retry-After``: too many logins from one address (:mod:`.ratelimit`);
- 503 with ``Retry-After``: the embedded database stayed locked (DatabaseBusyError).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from surveylab.auth import AuthenticationError, PermissionDenied, WeakPasswordError
from surveylab.calc import SurveyInputError
from surveylab.config import ConfigError
from surveylab.db import DatabaseBusyError
from surveylab.parsers import SurveyFileError
from surveylab.services import Conflict, NotFound, ServiceError, accounts
from surveylab.units import UnitError

PROBLEM_JSON = "application/problem+json"
#: ``type`` of every problem: this prefix and a slug (e.g. ``urn:surveylab:problem:not-found``).
PROBLEM_TYPE = "urn:surveylab:problem:"
#: The refusal of a request without a bearer token (no database work, nothing audited).
NO_TOKEN = "not authenticated: send Authorization: Bearer <access token> (POST /auth/login)"
#: The ``WWW-Authenticate`` challenge of every 401 (RFC 6750, section 3).
BEARER_CHALLENGE = 'Bearer realm="surveylab"'

log = logging.getLogger("surveylab.api")


class Problem(BaseModel):
    """An error answer (RFC 9457 problem details). Extension members: ``file``, ``line``,
    ``field`` where the error names them, ``errors`` for invalid request fields."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    file: str | None = None
    line: int | None = None
    field: str | None = None
    errors: list[dict[str, Any]] | None = None


class ApiProblem(Exception):
    """A refusal the HTTP layer itself makes (rate limit, report not ready).

    Parameters
    ----------
    status : int
        HTTP status.
    slug : str
        Kind of problem, the end of ``type`` [text, e.g. ``"rate-limited"``].
    detail : str
        What happened, in plain words [text].
    headers : dict, optional
        Extra response headers (e.g. ``Retry-After``).
    """

    def __init__(
        self, status: int, slug: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail
        self.headers = headers or {}


class BodyTooLarge(StarletteHTTPException):
    """A request body over the limit, noticed while it streams in.

    An HTTP exception so that the framework's body parsing passes it on unchanged (it turns
    any other exception there into a 400).
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body is larger than the limit of {limit} bytes")
        self.limit = limit


def problem_body(status: int, slug: str, detail: str, **extra: Any) -> bytes:
    """The JSON of one problem (RFC 9457), members that are None left out."""
    doc: dict[str, Any] = {
        "type": PROBLEM_TYPE + slug,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    doc.update({k: v for k, v in extra.items() if v is not None})
    return orjson.dumps(doc)


def problem_response(
    status: int, slug: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    """A ``application/problem+json`` response."""
    return Response(
        problem_body(status, slug, detail, **extra),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _slug(status: int) -> str:
    return HTTPStatus(status).phrase.lower().replace(" ", "-").replace("'", "")


#: Reasons of a 401 where no token was refused (none sent, or a login failed).
_NO_TOKEN_REASONS = frozenset({"not authenticated", NO_TOKEN, accounts.LOGIN_FAILED})


def classify(exc: BaseException) -> tuple[int, str, dict[str, Any], dict[str, str]]:
    """``(status, slug, extension members, headers)`` of an error raised by the package.

    The order matters: subclasses before their base classes (NotFound and Conflict are
    ServiceErrors, WeakPasswordError is an AuthError and a ValueError).
    """
    if isinstance(exc, AuthenticationError):
        challenge = BEARER_CHALLENGE
        if exc.reason not in _NO_TOKEN_REASONS:  # a token was sent and refused: RFC 6750, 3.1
            challenge += ', error="invalid_token"'
        return 401, "not-authenticated", {}, {"WWW-Authenticate": challenge}
    if isinstance(exc, PermissionDenied):
        return 403, "permission-denied", {}, {}
    if isinstance(exc, WeakPasswordError):
        return 422, "password-refused", {"field": "password"}, {}
    if isinstance(exc, NotFound):
        return 404, "not-found", {}, {}
    if isinstance(exc, Conflict):
        return 409, "conflict", {}, {}
    if isinstance(exc, SurveyFileError):
        extra = {
            "file": exc.file,
            "line": exc.line,
            "field": exc.field,
            "element": exc.element,
            "reason": exc.reason,
        }
        return 422, "survey-file-refused", extra, {}
    if isinstance(exc, SurveyInputError | UnitError | ServiceError):
        return 422, "refused", {}, {}
    if isinstance(exc, DatabaseBusyError):
        return 503, "database-busy", {}, {"Retry-After": "1"}
    if isinstance(exc, ApiProblem):
        return exc.status, exc.slug, {}, exc.headers
    return 500, "internal-error", {}, {}


def _validation_errors(exc: RequestValidationError) -> tuple[str, list[dict[str, Any]]]:
    """A one-line detail naming the first invalid field, and every error as ``{"field",
    "message", "type"}`` (``field`` is the dotted location, e.g. ``body.run_number``)."""
    errors = []
    for e in exc.errors():
        loc = ".".join(str(p) for p in e.get("loc", ()))
        errors.append({"field": loc, "message": str(e.get("msg", "")), "type": e.get("type")})
    if not errors:
        return "invalid request", []
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{first['field']}: {first['message']}{more}", errors


async def _on_validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    detail, errors = _validation_errors(exc)
    field = errors[0]["field"] if errors else None
    return problem_response(422, "validation-error", detail, field=field, errors=errors)


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = dict(exc.headers or {})
    if exc.status_code == 400:  # a body the framework could not parse: invalid input
        return problem_response(422, "validation-error", f"invalid request body: {detail}")
    if exc.status_code == 405:
        detail = f"method {request.method} is not allowed on {request.url.path}"
    elif exc.status_code == 404:
        detail = f"no such resource: {request.url.path}"
    return problem_response(exc.status_code, _slug(exc.status_code), detail, headers=headers)


async def _on_error(request: Request, exc: Exception) -> Response:
    status, slug, extra, headers = classify(exc)
    if status == 500:
        if isinstance(exc, ConfigError):
            log.error("configuration error: %s", exc)
        else:
            log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(500, slug, "internal error: see the server's log")
    return problem_response(status, slug, str(exc), headers=headers, **extra)


def install(app: FastAPI) -> None:
    """Register the handlers of every error above on ``app``."""
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    for kind in (
        AuthenticationError,
        PermissionDenied,
        WeakPasswordError,
        ServiceError,
        SurveyFileError,
        SurveyInputError,
        UnitError,
        DatabaseBusyError,
        ApiProblem,
        Exception,
    ):
        app.add_exception_handler(kind, _on_error)


#: OpenAPI description of each error status (the ``responses`` of the operations).
_DESCRIPTIONS = {
    401: "No, invalid, expired or revoked access token (``WWW-Authenticate: Bearer``)",
    403: "The role or ownership does not allow this (audited)",
    404: "Unknown run, well, file, user or report",
    409: "Name taken, or the report is not rendered yet",
    413: "Request body over the size limit",
    422: "Invalid input (names the field, or the file, line and field)",
    429: "Too many login attempts from this address (``Retry-After``)",
    503: "The embedded database is busy (``Retry-After``)",
}


def problems(
    *statuses: int, extra: dict[int | str, dict[str, Any]] | None = None
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for error statuses, each a :class:`Problem` as problem+json,
    plus the ``extra`` responses given (e.g. a 200 with other media types)."""
    out: dict[int | str, dict[str, Any]] = dict(extra or {})
    for status in (*statuses, 503):
        out[status] = {
            "description": _DESCRIPTIONS[status],
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return out
