"""The runs listing (filter, sort, page, count) against a plain-Python reference, on both
backends, over generated runs: random wells (or none), owners, types, current-survey statuses
(or no survey) and names, and random filter/sort/page choices (hypothesis)."""

from __future__ import annotations

import math
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from surveylab.models import RunType, SurveyStatus

N_RUNS = 240
N_WELLS = 6
OWNERS = ("ann", "bob", "cid")
#: Leading words start with distinct lowercase letters and the run's index follows, so that the
#: order of numbers and names is the same in any collation; LIKE's wildcards come last.
WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf")
TAILS = ("x_y", "pct%", "plain")


@pytest.fixture(scope="module")
def field(_module_settings):
    """The module's database filled with generated runs; (settings, reference rows, actors)."""
    import sqlalchemy as sa

    from surveylab import db
    from surveylab.db import tables as t
    from surveylab.models import Actor, Role
    from tests.db_fixtures import empty_all_tables

    empty_all_tables(_module_settings)
    rng = random.Random(21)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    users = {name: uuid.uuid4() for name in OWNERS}
    wells = {f"well{i}": uuid.uuid4() for i in range(N_WELLS)}
    rows: list[dict[str, Any]] = []
    runs, files, surveys = [], [], []
    for i in range(N_RUNS):
        rid, owner = uuid.uuid4(), rng.choice(OWNERS)
        well = rng.choice([*wells, None])
        status = rng.choice([*(s.value for s in SurveyStatus), None])
        created = now + timedelta(minutes=rng.randrange(0, 5000))
        updated = created + timedelta(minutes=rng.randrange(0, 50))
        # few distinct times: ties in the order are broken by the run's id
        updated = updated.replace(minute=0)
        number = f"{rng.choice(WORDS)}{i:04d}"
        name = f"{rng.choice(WORDS)} {i:04d} {rng.choice(TAILS)}"
        run_type = rng.choice([x.value for x in RunType])
        sid = uuid.uuid4() if status else None
        runs.append(
            {
                "id": rid,
                "run_number": number,
                "run_name": name,
                "run_type": run_type,
                "well_id": wells[well] if well else None,
                "user_id": users[owner],
                "current_survey_id": sid,
                "survey_changed_at": updated if sid else None,
                "created_at": created,
                "updated_at": updated,
            }
        )
        if sid:
            fid = uuid.uuid4()
            files.append(
                {
                    "id": fid,
                    "run_id": rid,
                    "file_name": f"{number}.csv",
                    "size_bytes": 1,
                    "sha256": f"{i:064x}",
                    "detected_format": "csv",
                    "content": b"x",
                    "uploaded_at": updated,
                }
            )
            surveys.append(
                {
                    "id": sid,
                    "run_id": rid,
                    "file_id": fid,
                    "revision": 1,
                    "depth_unit": "m",
                    "azimuth_reference": "true",
                    "method": "minimum_curvature",
                    "dls_course_length": 30.0,
                    "station_count": 10,
                    "header_json": "{}",
                    "findings_json": "[]",
                    "assumptions_json": "[]",
                    "imported_at": updated,
                    "status": status,
                }
            )
        rows.append(
            {
                "id": rid,
                "run_number": number,
                "run_name": name,
                "run_type": run_type,
                "well": well,
                "owner": owner,
                "status": status,
                "created_at": created,
                "updated_at": updated,
            }
        )
    engine = db.get_engine(_module_settings)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(t.users),
            [
                {
                    "id": uid,
                    "username": name,
                    "username_key": name,
                    "password_hash": "x",
                    "role": "Engineer",
                    "is_active": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for name, uid in users.items()
            ],
        )
        conn.execute(
            sa.insert(t.wells),
            [
                {
                    "id": wid,
                    "well_name": name,
                    "well_type": "Oil",
                    "created_at": now,
                    "updated_at": now,
                }
                for name, wid in wells.items()
            ],
        )
        conn.execute(sa.insert(t.runs), runs)
        conn.execute(sa.insert(t.survey_files), files)
        conn.execute(sa.insert(t.surveys), surveys)
    actors = {name: Actor(uid, name, Role.ENGINEER) for name, uid in users.items()}
    return _module_settings, rows, actors


def _reference(rows, actor_name, f) -> list[dict[str, Any]]:
    """What the listing must return, computed in Python from the generated rows."""
    out = [
        r
        for r in rows
        if (not f["mine"] or r["owner"] == actor_name)
        and (f["owner"] is None or r["owner"] == f["owner"])
        and (f["well"] is None or r["well"] == f["well"])
        and (f["run_type"] is None or r["run_type"] == f["run_type"])
        and (f["status"] is None or r["status"] == f["status"])
        and (
            f["search"] is None
            or f["search"].lower() in r["run_number"].lower()
            or f["search"].lower() in r["run_name"].lower()
        )
    ]
    key = {"well": "well", "owner": "owner"}.get(f["order_by"], f["order_by"])
    # ties by id ascending, whichever way the key sorts; runs without a well last both ways
    out.sort(key=lambda r: r["id"])
    present = [r for r in out if r[key] is not None]
    missing = [r for r in out if r[key] is None]
    present.sort(key=lambda r: r[key], reverse=f["descending"])
    return present + missing


filters = st.fixed_dictionaries(
    {
        "mine": st.booleans(),
        "owner": st.sampled_from([None, *OWNERS, "nobody"]),
        "well": st.sampled_from([None, *(f"well{i}" for i in range(N_WELLS))]),
        "run_type": st.sampled_from([None, *(x.value for x in RunType)]),
        "status": st.sampled_from([None, *(s.value for s in SurveyStatus)]),
        "search": st.sampled_from([None, "al", "ECHO", "x_y", "%", "_", "00", "zzz"]),
        "order_by": st.sampled_from(
            ["run_number", "run_name", "run_type", "well", "owner", "created_at", "updated_at"]
        ),
        "descending": st.booleans(),
    }
)


@hsettings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(f=filters, actor_name=st.sampled_from(OWNERS), page_size=st.sampled_from([19, 60, 500]))
def test_listing_pages_match_the_reference(field, f, actor_name, page_size) -> None:
    from surveylab.repositories import UnitOfWork
    from surveylab.services import runs as run_service

    settings, rows, actors = field
    actor = actors[actor_name]
    expected = _reference(rows, actor_name, f)
    if f["owner"] == "nobody":
        expected = []
    count = run_service.count_runs(UnitOfWork(settings), actor, **f)
    assert count == len(expected)
    pages = max(1, math.ceil(count / page_size))
    got: list[uuid.UUID] = []
    for page in range(pages + 1):  # one page past the end: empty
        listed = run_service.list_runs(
            UnitOfWork(settings), actor, **f, limit=page_size, offset=page * page_size
        )
        assert len(listed) <= page_size
        if page == pages:
            assert listed == [] or count == 0
        got.extend(r.id for r in listed)
    assert got == [r["id"] for r in expected]


def test_an_unknown_status_is_refused_by_name(field) -> None:
    from surveylab.repositories import UnitOfWork
    from surveylab.services import ServiceError
    from surveylab.services import runs as run_service

    settings, _rows, actors = field
    with pytest.raises(ServiceError, match=r"status must be one of .*none, got 'finished'"):
        run_service.list_runs(UnitOfWork(settings), actors["ann"], status="finished")


def test_runs_without_a_survey_never_match_a_status(field) -> None:
    from surveylab.repositories import UnitOfWork
    from surveylab.services import runs as run_service

    settings, rows, actors = field
    listed = {
        r.id
        for s in SurveyStatus
        for r in run_service.list_runs(UnitOfWork(settings), actors["ann"], status=s.value)
    }
    no_survey = {r["id"] for r in rows if r["status"] is None}
    assert no_survey and not listed & no_survey
    assert len(listed) == len(rows) - len(no_survey)
