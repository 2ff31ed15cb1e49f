"""Two runs of a well compared along MD, and the exported VS (DuckDB and PostgreSQL).

The comparison is that of surveylab.calc.compare on the stored stations (same numbers), in
the reference's depth unit; the gyro verdict applies by the run types; each refusal says
what to do.
"""

from __future__ import annotations

import numpy as np
import pytest

from surveylab.calc.compare import compare_surveys
from surveylab.calc.tables import stations_of
from surveylab.demo import vendor_csv, well_profile
from surveylab.models import DepthUnit
from surveylab.repositories import UnitOfWork
from surveylab.services import ServiceError, comparisons, exports, runs, surveys


def _run(settings, actor, number, run_type, content):
    runs.create_run(
        UnitOfWork(settings),
        actor,
        run_number=number,
        run_name=f"run {number}",
        run_type=run_type,
        well="W",
    )
    if content is not None:
        surveys.import_survey(
            UnitOfWork(settings), actor, run=number, content=content, file_name=f"{number}.csv"
        )


@pytest.fixture
def well_runs(settings, people):
    eng = people["engineer"]
    runs.create_well(UnitOfWork(settings), eng, well_name="W")
    st = well_profile("S", azimuth=60.0)
    noisy = well_profile("S", azimuth=60.0, noise_deg=0.05, seed=4)
    _run(settings, eng, "G1", "Gyro", vendor_csv(st, well="W", run="G1", tool="Gyro"))
    _run(settings, eng, "T1", "GTL", vendor_csv(noisy, well="W", run="T1", tool="GTL"))
    _run(settings, eng, "M1", "MWD", vendor_csv(noisy, well="W", run="M1", tool="MWD"))
    in_feet = noisy.assign(md=noisy["md"] / 0.3048)  # M1's stations, listed in feet
    feet = vendor_csv(in_feet, well="W", run="F1", tool="MWD", depth_unit=DepthUnit.FT)
    _run(settings, eng, "F1", "MWD", feet)
    grid = vendor_csv(noisy, well="W", run="N1", tool="MWD").replace(b"true north", b"grid north")
    _run(settings, eng, "N1", "MWD", grid)
    _run(settings, eng, "E1", "MWD", None)
    return people


def test_differences_are_calc_compare_on_the_stored_stations(settings, well_runs):
    viewer = well_runs["viewer"]
    diff = comparisons.compare_runs(UnitOfWork(settings), viewer, "G1", "T1")
    _, _, a = surveys.load_survey(UnitOfWork(settings), viewer, "G1")
    _, _, b = surveys.load_survey(UnitOfWork(settings), viewer, "T1")
    want = compare_surveys(stations_of(a), stations_of(b))
    np.testing.assert_allclose(diff.comparison.distance, want.distance)
    np.testing.assert_allclose(diff.comparison.d_inc, want.d_inc)
    np.testing.assert_allclose(diff.horizontal, np.hypot(want.d_north, want.d_east))
    assert diff.depth_unit == "m" and (diff.reference_revision, diff.other_revision) == (1, 1)
    assert diff.gyro_runs == 2 and diff.verdict == want.status
    assert diff.comparison.distance.max() > 0  # 0.05 deg of noise moves the hole


def test_gyro_verdict_by_run_type(settings, well_runs):
    viewer = well_runs["viewer"]
    one = comparisons.compare_runs(UnitOfWork(settings), viewer, "G1", "M1")
    assert one.gyro_runs == 1 and one.tolerances_apply
    assert one.verdict.endswith("(for information: one run is not a gyro)")
    none = comparisons.compare_runs(UnitOfWork(settings), viewer, "M1", "F1")
    assert none.gyro_runs == 0 and not none.tolerances_apply
    assert none.verdict == "no gyro run: no tolerance applies"


def test_another_depth_unit_is_converted_to_the_reference_s(settings, well_runs):
    """F1 lists M1's stations in feet: converted to metres it is M1 again (to the 0.005 ft
    the listing rounds its MDs to)."""
    viewer = well_runs["viewer"]
    diff = comparisons.compare_runs(UnitOfWork(settings), viewer, "M1", "F1")
    _, _, m = surveys.load_survey(UnitOfWork(settings), viewer, "M1")
    assert diff.depth_unit == "m"
    np.testing.assert_allclose(diff.comparison.md, m["md"], atol=1e-9)
    assert diff.comparison.distance.max() < 0.01
    assert np.abs(diff.comparison.d_inc).max() < 0.01
    reverse = comparisons.compare_runs(UnitOfWork(settings), viewer, "F1", "M1")
    assert reverse.depth_unit == "ft"
    assert reverse.comparison.distance.max() < 0.01 / 0.3048


@pytest.mark.parametrize(
    ("ref", "other", "says"),
    [
        ("G1", "G1", "choose two different runs"),
        ("G1", "N1", "set the same north reference on both"),
        ("G1", "E1", "has no survey yet"),
    ],
)
def test_refusals_say_what_to_do(settings, well_runs, ref, other, says):
    with pytest.raises(ServiceError, match=says):
        comparisons.compare_runs(UnitOfWork(settings), well_runs["viewer"], ref, other)


def test_runs_that_do_not_overlap_in_md_are_refused(settings, people):
    eng = people["engineer"]
    runs.create_well(UnitOfWork(settings), eng, well_name="W")
    st = well_profile("J", azimuth=10.0)
    shallow = st[st["md"] <= 900].reset_index(drop=True)
    deep = st[st["md"] >= 1500].reset_index(drop=True)
    _run(settings, eng, "A", "Gyro", vendor_csv(shallow, well="W", run="A", tool="Gyro"))
    deep_csv = vendor_csv(deep, well="W", run="B", tool="Gyro")
    # a tie-on row at surface is in every demo file: drop it so that B starts at 1500 m
    deep_csv = deep_csv.replace(b"0.00,0.00,0.00\n", b"", 1)
    _run(settings, eng, "B", "Gyro", deep_csv)
    with pytest.raises(ServiceError, match="choose runs of the same wellbore that overlap"):
        comparisons.compare_runs(UnitOfWork(settings), people["viewer"], "A", "B")


def test_the_csv_export_carries_vs_along_the_azimuth_asked_for(settings, well_runs):
    viewer = well_runs["viewer"]
    _, data = exports.export_survey(UnitOfWork(settings), viewer, "G1", "csv", vs_azimuth=30.0)
    text = data.decode()
    assert "# VS azimuth: 30\n" in text and "# VS origin north: 0\n# VS origin east: 0\n" in text
    _, survey, st = surveys.load_survey(UnitOfWork(settings), viewer, "G1")
    assert survey.header.vs_azimuth is None  # the stored header is not changed
    head = next(line for line in text.splitlines() if line.startswith("MD")).split(",")
    rows = [line.split(",") for line in text.splitlines() if line[:1].isdigit()]
    vs = np.array([float(r[head.index("VS [m]")]) for r in rows])
    a = np.radians(30.0)
    np.testing.assert_allclose(vs, st["north"] * np.cos(a) + st["east"] * np.sin(a), atol=1e-6)
    # without an azimuth: the closure direction at TD, as the dashboards and reports use
    _, data = exports.export_survey(UnitOfWork(settings), viewer, "G1", "csv")
    closure = np.degrees(np.arctan2(st["east"].iloc[-1], st["north"].iloc[-1])) % 360
    azimuth = next(line for line in data.decode().splitlines() if line.startswith("# VS azimuth"))
    assert float(azimuth.split(": ")[1]) == pytest.approx(closure, abs=1e-9)
