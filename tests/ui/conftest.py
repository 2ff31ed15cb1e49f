"""Fixtures for the dashboard app classes driven without a browser (DuckDB).

``ui_db`` is one database per module holding a user of every role, two wells and 60 runs
(created through the repositories in bulk) of which a few have imported surveys; tests that
change data use ``fresh_db`` instead. Figures shown with ``display`` are collected by
``shown_figures`` (outside a kernel an ``Output`` widget captures nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import settings_for

ROLES = (
    ("admin", "Admin"),
    ("engineer", "Engineer"),
    ("surveyor", "Surveyor"),
    ("surveyor2", "Surveyor"),
    ("viewer", "Viewer"),
)
#: Runs in the module database: 60 = 3 pages of 25 (25, 25, 10).
N_RUNS = 60


def password_of(username: str) -> str:
    """The test password of ``username`` [text]."""
    return f"{username}-password-123"


@dataclass
class UiDb:
    """A migrated DuckDB database with users of every role (and what was put into it)."""

    settings: Any
    actors: dict[str, Any]
    data_dir: Path


def make_db(data_dir: Path, **extra: str) -> UiDb:
    """Migrate a DuckDB database in ``data_dir`` and add one user per role."""
    from surveylab import db
    from surveylab.models import Actor, Role
    from surveylab.repositories import UnitOfWork
    from surveylab.services import accounts

    settings = settings_for(None, data_dir, **extra)
    db.upgrade(settings)
    actors = {}
    for name, role in ROLES:
        u = accounts.ensure_user(UnitOfWork(settings), name, password_of(name), Role(role))
        actors[name] = Actor(u.id, u.username, u.role)
    return UiDb(settings, actors, data_dir)


def survey_csv(kind: str = "J", *, run: str = "R", noise: float = 0.0, seed: int = 0) -> bytes:
    """A synthetic vendor CSV (metres, true north, tie-on row at surface)."""
    from surveylab.demo import vendor_csv, well_profile

    stations = well_profile(kind, azimuth=40.0, noise_deg=noise, seed=seed)
    return vendor_csv(stations, well="UI well", run=run, tool="MWD")


@pytest.fixture(scope="module")
def ui_db(tmp_path_factory) -> UiDb:
    """Module database: 2 wells, 60 runs (types and owners mixed), surveys in 3 runs.

    - ``UI-001`` .. ``UI-060``; odd numbers owned by surveyor, even by engineer;
    - run types cycle GTL, Gyro, MWD, Unknown; runs 1-30 in well "UI Alpha", 31-60 in "UI Beta";
    - UI-001 has two revisions (the second with noise), UI-003 and UI-005 one each.
    """
    from surveylab.repositories import UnitOfWork
    from surveylab.services import runs, surveys

    d = make_db(tmp_path_factory.mktemp("ui-db"))
    s, a = d.settings, d.actors
    alpha = runs.create_well(UnitOfWork(s), a["engineer"], well_name="UI Alpha", well_type="Oil")
    beta = runs.create_well(UnitOfWork(s), a["engineer"], well_name="UI Beta", well_type="Gas")
    types = ("GTL", "Gyro", "MWD", "Unknown")
    with UnitOfWork(s) as uow:
        for i in range(1, N_RUNS + 1):
            owner = a["surveyor"] if i % 2 else a["engineer"]
            uow.runs.add(
                run_number=f"UI-{i:03d}",
                run_name=f"UI run {i:03d} {types[(i - 1) % 4]}",
                run_type=types[(i - 1) % 4],
                user_id=owner.id,
                well_id=alpha.id if i <= 30 else beta.id,
            )
        uow.commit()
    imports = (
        ("UI-001", survey_csv("J", run="UI-001"), "surveyor"),
        ("UI-001", survey_csv("J", run="UI-001", noise=0.05, seed=3), "surveyor"),
        ("UI-003", survey_csv("S", run="UI-003"), "surveyor"),
        ("UI-005", survey_csv("horizontal", run="UI-005"), "surveyor"),
    )
    for number, content, who in imports:
        surveys.import_survey(
            UnitOfWork(s), a[who], run=number, content=content, file_name=f"{number}.csv"
        )
    return d


@pytest.fixture
def fresh_db(tmp_path) -> UiDb:
    """A function-scoped database with users of every role and nothing else."""
    return make_db(tmp_path)


@pytest.fixture
def shown_figures(monkeypatch) -> list[Any]:
    """Everything the app modules ``display``, in order."""
    from surveylab.ui import runs_app, upload_app

    shown: list[Any] = []
    monkeypatch.setattr(runs_app, "display", shown.append)
    monkeypatch.setattr(upload_app, "display", shown.append)
    return shown


def logged_in(app_class: type, settings: Any, username: str) -> Any:
    """An app of ``app_class`` after a successful login of ``username`` through its form."""
    app = app_class(settings)
    session = app.login.submit(username, password_of(username))
    assert session is not None, app.login.message.value
    return app


@pytest.fixture
def login_as() -> Callable[[type, Any, str], Any]:
    """``login_as(AppClass, settings, username)`` -> the logged-in app."""
    return logged_in


def walk(widget: Any) -> list[Any]:
    """``widget`` and every widget below it (children of boxes and tabs)."""
    out = [widget]
    for child in getattr(widget, "children", ()) or ():
        out.extend(walk(child))
    return out
