"""North references (the README's signs), grid factors from pyproj, the geomagnetic model."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pyproj
import pytest

from surveylab.calc.north import (
    NorthReferenceError,
    convert_azimuth,
    grid_convergence_and_scale,
    magnetic_field,
    to_grid_offsets,
)


def test_azimuth_conversion_signs() -> None:
    # true = magnetic + declination; grid = true - convergence
    assert convert_azimuth(10.0, "magnetic", "true", declination=4.95) == pytest.approx(14.95)
    assert convert_azimuth(10.0, "true", "grid", convergence=0.09) == pytest.approx(9.91)
    # total correction magnetic -> grid = declination - convergence (SLB 9H: -2.430 - -0.0102)
    got = convert_azimuth(100.0, "magnetic", "grid", declination=-2.430, convergence=-0.01017929)
    assert got == pytest.approx(100.0 - 2.42, abs=1e-3)
    back = convert_azimuth(got, "grid", "magnetic", declination=-2.430, convergence=-0.01017929)
    assert back == pytest.approx(100.0)
    out = convert_azimuth(np.array([359.0, 1.0]), "magnetic", "true", declination=2.0)
    assert out.tolist() == pytest.approx([1.0, 3.0])
    assert convert_azimuth(5.0, "grid", "grid") == 5.0


@pytest.mark.parametrize(
    ("src", "dst", "kw", "missing"),
    [
        ("magnetic", "true", {}, "declination"),
        ("true", "grid", {"declination": 1.0}, "convergence"),
        ("magnetic", "grid", {"convergence": 1.0}, "declination"),
        ("grid", "magnetic", {"declination": 1.0}, "convergence"),
    ],
)
def test_missing_correction_is_never_zero(src, dst, kw, missing) -> None:
    with pytest.raises(NorthReferenceError, match=f"needs the .*{missing}"):
        convert_azimuth(10.0, src, dst, **kw)


def test_unknown_reference() -> None:
    with pytest.raises(NorthReferenceError, match="unknown"):
        convert_azimuth(1.0, "unknown", "true")
    with pytest.raises(NorthReferenceError, match="unknown north reference"):
        convert_azimuth(1.0, "compass", "true")


def test_convergence_sign_and_scale_against_finite_differences() -> None:
    crs = pyproj.CRS("EPSG:32631")  # UTM 31N, central meridian 3 E
    fwd = pyproj.Transformer.from_crs(crs.geodetic_crs, crs, always_xy=True)
    geod = pyproj.Geod(ellps="WGS84")
    for lon, lat in ((6.0, 60.0), (0.5, 58.0), (3.0, 45.0)):
        x, y = fwd.transform(lon, lat)
        f = grid_convergence_and_scale(crs, x, y)
        # a step due (true) north seen on the grid: its grid bearing is -convergence
        lon2, lat2, _ = geod.fwd(lon, lat, 0.0, 10.0)
        x2, y2 = fwd.transform(lon2, lat2)
        bearing = math.degrees(math.atan2(x2 - x, y2 - y))
        assert f.convergence == pytest.approx(-bearing, abs=1e-5)  # 10 m chord
        assert f.scale_factor == pytest.approx(math.hypot(x2 - x, y2 - y) / 10.0, abs=1e-7)
        assert (f.longitude, f.latitude) == pytest.approx((lon, lat), abs=1e-9)
    # east of the central meridian in the north: grid north is east of true north (positive)
    assert grid_convergence_and_scale(crs, *fwd.transform(6.0, 60.0)).convergence > 0
    assert grid_convergence_and_scale(crs, *fwd.transform(0.0, 60.0)).convergence < 0
    on_cm = grid_convergence_and_scale(crs, 500000.0, 6000000.0)
    assert on_cm.convergence == pytest.approx(0.0, abs=1e-9)
    assert on_cm.scale_factor == pytest.approx(0.9996, abs=1e-9)


def test_grid_factor_refusals() -> None:
    with pytest.raises(NorthReferenceError, match="not projected"):
        grid_convergence_and_scale("EPSG:4326", 1.0, 1.0)
    with pytest.raises(NorthReferenceError, match="unknown CRS"):
        grid_convergence_and_scale("EPSG:999999", 1.0, 1.0)
    with pytest.raises(NorthReferenceError, match="not conformal"):
        grid_convergence_and_scale("ESRI:54034", 1.0e6, 1.0e6)  # cylindrical equal area


def test_grid_offsets_rotate_and_scale_horizontal_only() -> None:
    gn, ge = to_grid_offsets([100.0, 0.0], [0.0, 100.0], convergence=2.0, scale_factor=0.9996)
    # true north lies west of grid north when convergence is positive
    assert gn[0] == pytest.approx(99.96 * math.cos(math.radians(2.0)))
    assert ge[0] == pytest.approx(-99.96 * math.sin(math.radians(2.0)))
    assert math.hypot(gn[1], ge[1]) == pytest.approx(99.96)
    with pytest.raises(NorthReferenceError, match="scale factor"):
        to_grid_offsets([1.0], [1.0], convergence=0.0, scale_factor=0.0)


def test_magnetic_field_model_and_physics() -> None:
    north = magnetic_field(60.0, 0.0098, dt.date(2020, 12, 30))
    assert north.model == "IGRF-14"
    assert north.date == dt.date(2020, 12, 30)
    assert 45000 < north.total_field < 56000  # the field is ~50,000 nT at 60 N
    assert 65 < north.dip < 78
    assert north.total_field == pytest.approx(
        math.hypot(
            north.horizontal_field, north.horizontal_field * math.tan(math.radians(north.dip))
        )
    )
    south = magnetic_field(-60.0, 0.0, "2020-06-01")
    assert south.dip < 0
    # secular variation: the declination moves between epochs
    later = magnetic_field(60.0, 0.0098, "2025-12-30")
    assert later.declination != north.declination
    assert abs(later.declination - north.declination) < 3.0


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ((60.0, 0.0, "2031-01-01"), "outside IGRF-14's validity"),
        ((60.0, 0.0, "1899-12-31"), "validity"),
        ((60.0, 0.0, "30/12/2020"), "not an ISO date"),
        ((95.0, 0.0, "2020-01-01"), "not valid"),
        ((60.0, float("nan"), "2020-01-01"), "not valid"),
    ],
)
def test_magnetic_field_refusals(args, text) -> None:
    with pytest.raises(NorthReferenceError, match=text):
        magnetic_field(*args)
