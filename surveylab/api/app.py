"""The application factory: the routes under ``/api/v1``, the error answers, the request guard
(Host allow-list and body limit), CORS when configured, and the offline documentation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from importlib.resources import files
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from surveylab import db
from surveylab._version import __version__
from surveylab.api import errors
from surveylab.api.jobs import ReportJobs
from surveylab.api.middleware import FORM_OVERHEAD, RequestGuard
from surveylab.api.ratelimit import LoginRateLimit
from surveylab.api.routes import auth, compute, reports, runs, surveys, users, wells
from surveylab.api.routes import files as files_routes
from surveylab.config import Settings, load_settings
from surveylab.server.hosts import allowed_hosts

#: PostgreSQL connections the API keeps open for its handler threads (DuckDB: none, its file
#: stays free for the dashboards' kernels between requests).
DB_POOL_SIZE = 8
#: Where the API lives; every path below is under it.
PREFIX = "/api/v1"
OPENAPI_URL = f"{PREFIX}/openapi.json"
DOCS_URL = f"{PREFIX}/docs"
REDOC_URL = f"{PREFIX}/redoc"
#: Swagger UI and ReDoc, served from the fastapi-offline package (no CDN).
ASSETS_URL = f"{PREFIX}/docs-assets"

DESCRIPTION = """\
surveylab's HTTP API: wells, runs, survey files, computed surveys, revisions and reports, over
JSON with bearer tokens (`POST /api/v1/auth/login`, then `Authorization: Bearer <access_token>`).

Lengths are in the survey's depth unit (`depth_unit`: m, ft or usft) unless asked otherwise;
angles in degrees; DLS, build and turn in degrees per `dls_course_length` (30 m or 100 ft).
Errors are `application/problem+json` (RFC 9457).
"""


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI 3.1 document, with the :class:`~surveylab.api.errors.Problem` schema the
    error responses name."""
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=app.description,
        routes=app.routes,
    )
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = errors.Problem.model_json_schema(
        ref_template="#/components/schemas/{model}"
    )
    app.openapi_schema = doc
    return doc


def _docs(app: FastAPI) -> None:
    """Swagger UI and ReDoc pages whose scripts and styles are served here."""
    assets = files("fastapi_offline") / "static"
    app.mount(ASSETS_URL, StaticFiles(directory=str(assets)), name="docs-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL,
            title="surveylab API",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
            # no validator badge: it would fetch an image from a public validator
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=OPENAPI_URL,
            title="surveylab API",
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )


def create_app(settings: Settings | None = None) -> FastAPI:
    """The HTTP API as an ASGI application.

    Parameters
    ----------
    settings : Settings, optional
        Database, tokens, limits, allowed hosts, CORS origins; default
        :func:`surveylab.config.load_settings`.

    Returns
    -------
    FastAPI
        The application (``/api/v1``); serve it with :func:`surveylab.api.run` or any ASGI
        server.
    """
    settings = settings or load_settings()
    if not settings.is_embedded and settings.db_pool_size == 0:
        settings = replace(settings, db_pool_size=DB_POOL_SIZE)
    jobs = ReportJobs(settings.reports_dir)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.shutdown()
        if settings.db_pool_size:
            db.get_engine(settings).dispose()

    app = FastAPI(
        title="surveylab API",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.jobs = jobs
    app.state.login_limit = LoginRateLimit(settings.api_login_per_minute)
    api = APIRouter(prefix=PREFIX)
    for module in (auth, runs, wells, files_routes, surveys, reports, compute, users):
        api.include_router(module.router)
    app.include_router(api)
    errors.install(app)
    _docs(app)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]  # FastAPI's documented way
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Accept"],
            expose_headers=["Location", "WWW-Authenticate", "Retry-After"],
        )
    # added last: the outermost, so nothing runs for a refused host or body
    app.add_middleware(
        RequestGuard,
        allowed_hosts=allowed_hosts(settings),
        upload_limit=settings.max_upload_bytes + FORM_OVERHEAD,
    )
    return app
