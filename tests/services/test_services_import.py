"""Survey import: one transaction, versioned revisions, duplicates, history and differences."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import sqlalchemy as sa

from surveylab.calc import compute_trajectory
from surveylab.db import tables as t
from surveylab.demo import vendor_csv, well_profile
from surveylab.models import DepthUnit, TieOn
from surveylab.parsers import SurveyFileError, read_survey
from surveylab.repositories import UnitOfWork
from surveylab.services import NotFound, ServiceError, runs, surveys


def _counts(settings) -> dict[str, int]:
    with UnitOfWork(settings) as uow:
        return {
            name: int(uow._conn.execute(sa.select(sa.func.count()).select_from(table)).scalar())
            for name, table in (
                ("files", t.survey_files),
                ("surveys", t.surveys),
                ("stations", t.stations),
                ("audit_ok", t.audit_events),
            )
        } | {
            "audit_ok": len(uow.audit.list(outcome="ok", action="import survey")),
        }


def _csv(kind: str = "J", *, noise: float = 0.0, seed: int = 0, **kw) -> bytes:
    return vendor_csv(
        well_profile(kind, noise_deg=noise, seed=seed), well="W", run="R", tool="MWD", **kw
    )


@pytest.fixture
def run_r(settings, people):
    return runs.create_run(UnitOfWork(settings), people["engineer"], run_number="R", run_name="R")


def _import(settings, actor, content: bytes, name: str = "s.csv", run: str = "R", **kw):
    return surveys.import_survey(
        UnitOfWork(settings), actor, run=run, content=content, file_name=name, **kw
    )


# ------------------------------------------------------------------------------- atomicity
@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: b"\x00\xff\xfe garbage \x01" * 20, SurveyFileError, "junk.bin"),
        (lambda: b"", SurveyFileError, "junk.bin"),
        (lambda: b"just, some\nwords, here\n", SurveyFileError, "junk.bin"),
    ],
    ids=["binary", "empty", "no-survey"],
)
def test_an_unreadable_file_leaves_nothing_behind(settings, people, run_r, make, error, message):
    before = _counts(settings)
    with pytest.raises(error, match=message):
        _import(settings, people["engineer"], make(), name="junk.bin")
    assert _counts(settings) == before
    assert runs.get_run(UnitOfWork(settings), people["engineer"], "R").current_survey_id is None


def test_a_file_failing_the_calculation_gate_leaves_nothing_behind(settings, people, run_r):
    st = well_profile("J")
    st.loc[5, "inc"] = 200.0
    content = vendor_csv(st, well="W", run="R", tool="MWD")
    before = _counts(settings)
    with pytest.raises(ServiceError, match=r"bad\.csv: .*inclination 200"):
        _import(settings, people["engineer"], content, name="bad.csv")
    assert _counts(settings) == before
    # a good revision first, then the bad file: revision 1 stays current and alone
    good = _import(settings, people["engineer"], _csv())
    with pytest.raises(ServiceError):
        _import(settings, people["engineer"], content, name="bad.csv")
    run = runs.get_run(UnitOfWork(settings), people["engineer"], "R")
    assert run.current_survey_id == good.survey.id and run.current_revision == 1
    assert _counts(settings)["surveys"] == 1


def test_a_failure_inside_the_store_step_rolls_back_everything(
    settings, people, run_r, monkeypatch
):
    """Files and the survey row are written before stations: a failing station write undoes them."""
    from surveylab.repositories import SurveyRepository

    def boom(self, survey_id, frame):
        raise RuntimeError("disk full")

    monkeypatch.setattr(SurveyRepository, "_insert_stations", boom)
    before = _counts(settings)
    with pytest.raises(RuntimeError, match="disk full"):
        _import(settings, people["engineer"], _csv())
    assert _counts(settings) == before


def test_unknown_run_and_oversized_file_are_refused(settings, people, run_r):
    with pytest.raises(NotFound, match="unknown run 'nope'"):
        _import(settings, people["engineer"], _csv(), run="nope")
    small = settings.__class__(**{**settings.__dict__, "max_upload_bytes": 100})
    with pytest.raises(ServiceError, match=r"big\.csv: .* over the limit of 100 bytes"):
        surveys.import_survey(
            UnitOfWork(small), people["engineer"], run="R", content=_csv(), file_name="big.csv"
        )
    assert _counts(settings)["files"] == 0


# -------------------------------------------------------------------------- what is stored
def test_import_stores_bytes_header_findings_and_computed_stations(settings, people, run_r):
    content = _csv("S", noise=0.05, seed=4)
    res = _import(settings, people["admin"], content, name="s-run.csv")
    assert not res.duplicate and res.survey.revision == 1
    assert res.survey.depth_unit is DepthUnit.M
    assert res.survey.sha256 == hashlib.sha256(content).hexdigest()
    assert res.survey.file_name == "s-run.csv" and res.survey.detected_format
    assert res.survey.imported_by_name == "admin"
    assert res.survey.header.declination == pytest.approx(1.23)
    assert res.run.current_revision == 1 and res.run.station_count == res.survey.station_count
    with UnitOfWork(settings) as uow:
        (f,) = uow.files.for_run(run_r.id)
        assert uow.files.content(f.id) == content
        events = uow.audit.list(action="import survey", outcome="ok")
    assert len(events) == 1 and "revision 1" in events[0].detail
    _, _, st = surveys.load_survey(UnitOfWork(settings), people["viewer"], "R")
    src = well_profile("S", noise_deg=0.05, seed=4)
    md, inc, azi = (np.r_[0.0, src[c].to_numpy(float)] for c in ("md", "inc", "azi"))
    ref = compute_trajectory(md, inc, azi, depth_unit="m")
    np.testing.assert_array_equal(st["md"], md)
    np.testing.assert_allclose(st["tvd"], ref.tvd, rtol=0, atol=1e-9)
    np.testing.assert_allclose(st["east"], ref.east, rtol=0, atol=1e-9)


# ------------------------------------------------------------------------ revisions, history
def test_reimport_makes_the_next_revision_current_and_keeps_the_earlier(settings, people, run_r):
    eng = people["engineer"]
    first = _import(settings, eng, _csv(seed=1, noise=0.1), name="a.csv")
    second = _import(settings, eng, _csv(seed=2, noise=0.1), name="b.csv")
    third = _import(settings, people["admin"], _csv(seed=3, noise=0.1), name="c.csv")
    assert [r.survey.revision for r in (first, second, third)] == [1, 2, 3]
    run = runs.get_run(UnitOfWork(settings), eng, "R")
    assert run.current_survey_id == third.survey.id and run.current_revision == 3
    hist = surveys.history(UnitOfWork(settings), people["viewer"], "R")
    assert [(s.revision, s.file_name, s.imported_by_name) for s in hist] == [
        (1, "a.csv", "engineer"),
        (2, "b.csv", "engineer"),
        (3, "c.csv", "admin"),
    ]
    _, s1, st1 = surveys.load_survey(UnitOfWork(settings), eng, "R", revision=1)
    _, s3, st3 = surveys.load_survey(UnitOfWork(settings), eng, "R")
    assert s1.id == first.survey.id and s3.id == third.survey.id
    assert not np.array_equal(st1["inc"].to_numpy(), st3["inc"].to_numpy())
    with pytest.raises(ServiceError, match="has no revision 9"):
        surveys.load_survey(UnitOfWork(settings), eng, "R", revision=9)


def test_load_survey_of_a_run_without_one(settings, people, run_r):
    with pytest.raises(ServiceError, match="run R has no survey yet"):
        surveys.load_survey(UnitOfWork(settings), people["viewer"], "R")
    assert surveys.history(UnitOfWork(settings), people["viewer"], "R") == []


def test_duplicate_upload_is_recognised_not_stored_twice(settings, people, run_r):
    content = _csv()
    first = _import(settings, people["engineer"], content, name="a.csv")
    _import(settings, people["engineer"], _csv(seed=5, noise=0.1), name="other.csv")
    again = _import(settings, people["engineer"], content, name="renamed.csv")
    assert again.duplicate and again.survey.id == first.survey.id
    counts = _counts(settings)
    assert counts["files"] == 2 and counts["surveys"] == 2
    # the same bytes into another run are a new file there
    runs.create_run(UnitOfWork(settings), people["engineer"], run_number="R2", run_name="R2")
    other = _import(settings, people["engineer"], content, run="R2")
    assert not other.duplicate and other.survey.revision == 1
    assert _counts(settings)["files"] == 3


def test_compare_revisions_matches_stations_on_md(settings, people, run_r):
    st = well_profile("J")
    base = vendor_csv(st, well="W", run="R", tool="MWD")
    moved = st.copy()
    moved.loc[10, "azi"] = (moved.loc[10, "azi"] + 359.0) % 360.0  # -1 deg across north or not
    moved.loc[20, "inc"] += 0.5
    moved = moved.iloc[:-2]  # two stations fewer at the bottom
    _import(settings, people["engineer"], base, name="a.csv")
    _import(settings, people["engineer"], vendor_csv(moved, well="W", run="R", tool="MWD"))
    diff = surveys.compare_revisions(UnitOfWork(settings), people["viewer"], "R", 1, 2)
    assert len(diff) == len(st) + 1  # tie-on row at MD 0 plus every station of revision 1
    row10 = diff.loc[np.isclose(diff["md"], st.loc[10, "md"])].iloc[0]
    assert row10["d_azi"] == pytest.approx(-1.0, abs=1e-9)
    row20 = diff.loc[np.isclose(diff["md"], st.loc[20, "md"])].iloc[0]
    assert row20["d_inc"] == pytest.approx(0.5, abs=1e-9)
    assert diff["d_inc"].abs().gt(1e-12).sum() == 1
    assert diff["inc_b"].isna().sum() == 2 and diff["inc_a"].notna().all()
    assert (diff["d_tvd"].iloc[:11].abs() < 1e-9).all()  # unchanged above the first change
    assert diff.attrs["depth_unit"] == "m"


def test_compare_revisions_converts_depth_units(settings, people, run_r):
    st = well_profile("J").iloc[:20]
    _import(settings, people["engineer"], vendor_csv(st, well="W", run="R", tool="MWD"))
    ft = st.copy()
    ft["md"] = ft["md"] / 0.3048
    _import(
        settings,
        people["engineer"],
        vendor_csv(ft, well="W", run="R", tool="MWD", depth_unit=DepthUnit.FT),
    )
    diff = surveys.compare_revisions(UnitOfWork(settings), people["viewer"], "R", 1, 2)
    # MD in ft was written with 2 decimals: a few stations may not match to 1e-4 m
    matched = diff.dropna()
    assert len(matched) >= 1
    assert matched["d_tvd"].abs().max() < 0.01


# ------------------------------------------------------------------------ header overrides
def test_a_tie_on_given_as_numbers_fills_md_inc_azi_tvd_north_east_in_order():
    parsed = read_survey(_csv(), name="s.csv")
    notes = surveys.apply_overrides(parsed, {"tie_on": ["100", 2.5, 45, 99.9, 1, -2]})
    assert parsed.header.tie_on == TieOn(100.0, 2.5, 45.0, 99.9, 1.0, -2.0)
    assert [n.field for n in notes] == ["tie_on"]
    # a tie-on is a known point: the numbers left out are not taken as 0
    for partial in [(50, 1), [1, 2, 3, 4, 5, 6, 7]]:
        with pytest.raises(ServiceError, match="tie_on needs 6 numbers"):
            surveys.apply_overrides(parsed, {"tie_on": partial})
    assert parsed.header.tie_on == TieOn(100.0, 2.5, 45.0, 99.9, 1.0, -2.0)
