"""The OpenAPI 3.1 document is generated from the code and the documentation pages load
nothing from outside the server."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlparse

import httpx
import pytest

from tests.api.conftest import HTTP_TIMEOUT_S, RunningServer


def test_openapi_document(server: RunningServer) -> None:
    doc = httpx.get(f"{server.base}/openapi.json", timeout=HTTP_TIMEOUT_S).json()
    assert doc["openapi"].startswith("3.1")
    paths = doc["paths"]
    for path, method in [
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/refresh", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/runs", "get"),
        ("/api/v1/runs", "post"),
        ("/api/v1/runs/{run}", "patch"),
        ("/api/v1/runs/{run}", "delete"),
        ("/api/v1/wells/{well}", "get"),
        ("/api/v1/runs/{run}/files", "post"),
        ("/api/v1/files/{file_id}/content", "get"),
        ("/api/v1/runs/{run}/survey", "get"),
        ("/api/v1/runs/{run}/history", "get"),
        ("/api/v1/runs/{run}/diff", "get"),
        ("/api/v1/runs/{run}/reports", "post"),
        ("/api/v1/reports/{report_id}", "get"),
        ("/api/v1/reports/{report_id}/content", "get"),
        ("/api/v1/compute", "post"),
        ("/api/v1/users", "get"),
        ("/api/v1/users/{name}", "patch"),
    ]:
        assert method in paths[path], (path, method)
    assert "HTTPBearer" in doc["components"]["securitySchemes"]
    problem = doc["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem["required"])
    runs = paths["/api/v1/runs"]["get"]
    assert "application/problem+json" in runs["responses"]["401"]["content"]
    assert {p["name"] for p in runs["parameters"]} >= {
        "scope",
        "well",
        "type",
        "owner",
        "q",
        "sort",
        "page",
        "page_size",
    }
    assert "text/csv" in paths["/api/v1/runs/{run}/survey"]["get"]["responses"]["200"]["content"]


@pytest.mark.parametrize("page", ["docs", "redoc"])
def test_docs_pages_load_only_local_scripts_and_styles(server: RunningServer, page: str) -> None:
    url = f"{server.base}/{page}"
    r = httpx.get(url, timeout=HTTP_TIMEOUT_S)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", r.text)
    refs += re.findall(r"""url:\s*['"]([^'"]+)['"]""", r.text)
    refs += re.findall(r"""spec-url\s*=\s*["']([^"']+)["']""", r.text)
    assert any(ref.endswith(".js") for ref in refs), refs
    for ref in refs:
        full = urljoin(url, ref)
        assert urlparse(full).netloc == f"127.0.0.1:{server.port}", ref
        got = httpx.get(full, timeout=HTTP_TIMEOUT_S)
        assert got.status_code == 200, ref
    assert "cdn" not in r.text.lower() and "fonts.googleapis" not in r.text
