"""A property-based fuzzer driven by the OpenAPI document (schemathesis): every operation gets
generated requests, valid and invalid, with a valid Admin token; no answer may be a 5xx or
break the document (status, content type, headers, body schema).

A bounded number of examples per operation keeps it to about a minute per backend; raise
``SURVEYLAB_FUZZ_EXAMPLES`` for a longer run.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import HTTP_TIMEOUT_S, RunningServer, add_users, password_of, survey_csv
from tests.db_fixtures import empty_all_tables

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("SURVEYLAB_FUZZ_EXAMPLES", "15"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def fuzz_token(server: RunningServer) -> str:
    """An Admin's token, over a database holding a well and a run with a survey."""
    empty_all_tables(server.settings)
    add_users(server.settings)
    base = server.base
    token = httpx.post(
        f"{base}/auth/login",
        json={"username": "admin", "password": password_of("admin")},
        timeout=HTTP_TIMEOUT_S,
    ).json()["access_token"]
    h = {"Authorization": f"Bearer {token}"}
    httpx.post(
        f"{base}/wells", json={"well_name": "W-1"}, headers=h, timeout=HTTP_TIMEOUT_S
    ).raise_for_status()
    httpx.post(
        f"{base}/runs",
        json={"run_number": "R1", "run_name": "one", "well": "W-1"},
        headers=h,
        timeout=HTTP_TIMEOUT_S,
    ).raise_for_status()
    httpx.post(
        f"{base}/runs/R1/files",
        files={"file": ("a.csv", survey_csv())},
        headers=h,
        timeout=HTTP_TIMEOUT_S,
    ).raise_for_status()
    return str(token)


def fuzz_operations(
    server: RunningServer, token: str, examples: int, only: str | None = None
) -> tuple[int, dict[str, str]]:
    """Fuzz every operation (or those whose label holds ``only``): ``(operations, failures)``.

    schemathesis' pytest plugin does not run on pytest 9: each operation gets hypothesis'
    ``@given`` here instead, over schemathesis' strategy for it.
    """
    api_schema = schemathesis.openapi.from_url(f"{server.base}/openapi.json")
    headers = {"Authorization": f"Bearer {token}"}
    failures: dict[str, str] = {}
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        if only is not None and only not in operation.label:
            continue
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=examples,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case: Any) -> None:
            server.app.state.login_limit._seen.clear()  # the fuzzer logs in far more often
            case.call_and_validate(base_url=server.url, headers=headers, checks=CHECKS)

        try:
            fuzz()
        except BaseException as exc:  # schemathesis' FailureGroup is a BaseExceptionGroup
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            failures[operation.label] = f"{type(exc).__name__}: {exc}"[:3000]
    return operations, failures


def test_no_server_error_and_no_answer_outside_the_document(
    server: RunningServer, fuzz_token: str
) -> None:
    operations, failures = fuzz_operations(server, fuzz_token, EXAMPLES)
    assert operations >= 20
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_the_fuzzer_catches_an_answer_outside_the_document(
    server: RunningServer, fuzz_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from surveylab.api.routes import wells

    # negative control: a well answered without its required fields is a server error
    monkeypatch.setattr(wells, "well_out", lambda w: {"id": str(w.id)})
    operations, failures = fuzz_operations(server, fuzz_token, 5, only="GET /api/v1/wells")
    assert operations == 2  # the list and the one by name or id
    assert "GET /api/v1/wells" in failures
