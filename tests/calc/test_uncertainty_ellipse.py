"""Ellipses of uncertainty: exact cases, generated covariances, outlines, refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from surveylab.calc import SurveyInputError
from surveylab.calc.uncertainty import (
    ReferenceField,
    ellipse_outline,
    horizontal_ellipses,
    position_uncertainty,
    section_ellipses,
)


def _rotated(a: float, b: float, azimuth: float, vv: float = 1.0) -> np.ndarray:
    """Covariance with 1-sigma semi-axes a (along ``azimuth`` from north) and b, and vv."""
    t = math.radians(azimuth)
    major = np.array([math.cos(t), math.sin(t)])
    minor = np.array([-math.sin(t), math.cos(t)])
    c = np.zeros((3, 3))
    c[:2, :2] = a * a * np.outer(major, major) + b * b * np.outer(minor, minor)
    c[2, 2] = vv
    return c


@pytest.mark.parametrize("azimuth", [0.0, 30.0, 90.0, 135.0, 179.0])
@pytest.mark.parametrize("sigma", [1.0, 2.0, 2.79])
def test_axes_and_azimuth_of_a_known_ellipse(azimuth, sigma) -> None:
    e = horizontal_ellipses(_rotated(5.0, 2.0, azimuth, vv=9.0), sigma=sigma)
    assert float(e.semi_major) == pytest.approx(5.0 * sigma)
    assert float(e.semi_minor) == pytest.approx(2.0 * sigma)
    assert float(e.orientation) == pytest.approx(azimuth, abs=1e-9)
    assert float(e.vertical) == pytest.approx(3.0 * sigma)
    assert e.sigma == sigma and e.plane == "horizontal"


def test_the_major_axis_azimuth_is_folded_into_0_180() -> None:
    e = horizontal_ellipses(np.stack([_rotated(3.0, 1.0, az) for az in (200.0, 359.0, 180.0)]))
    assert np.allclose(e.orientation, [20.0, 179.0, 0.0], atol=1e-9)


def test_a_circle_has_orientation_0_and_a_zero_covariance_zero_axes() -> None:
    e = horizontal_ellipses(np.stack([np.eye(3) * 4.0, np.zeros((3, 3))]))
    assert np.allclose(e.semi_major, [4.0, 0.0]) and np.allclose(e.semi_minor, [4.0, 0.0])
    assert np.allclose(e.orientation, 0.0)


def test_section_plane_of_a_known_covariance() -> None:
    """A covariance elongated 30 deg below the horizontal along azimuth 60: its section at
    azimuth 60 shows that ellipse; at azimuth 150 the plane sees only the cross axis."""
    t = math.radians(60.0)
    d = math.radians(30.0)
    along = np.array([math.cos(d) * math.cos(t), math.cos(d) * math.sin(t), math.sin(d)])
    across = np.array([-math.sin(t), math.cos(t), 0.0])
    down = np.cross(along, across)
    c = 16.0 * np.outer(along, along) + 4.0 * np.outer(across, across) + np.outer(down, down)
    e = section_ellipses(c, 60.0, sigma=2.0)
    assert float(e.semi_major) == pytest.approx(8.0)
    assert float(e.semi_minor) == pytest.approx(2.0)
    assert float(e.orientation) == pytest.approx(30.0)
    side = section_ellipses(c, 150.0, sigma=1.0)
    assert float(side.semi_major) == pytest.approx(math.sqrt(max(4.0, c[2, 2])))
    assert e.label() == "2-sigma ellipses, vertical section plane, azimuth 60 deg"


@st.composite
def covariances(draw):
    a = draw(arrays(np.float64, (3, 3), elements=st.floats(-100.0, 100.0)))
    return a @ a.T


@settings(max_examples=200, deadline=None)
@given(covariances(), st.floats(0.5, 5.0), st.floats(0.0, 359.0))
def test_the_ellipse_rebuilds_its_covariance(c, sigma, vsa) -> None:
    """From semi-axes and orientation the 2 x 2 covariance comes back (both planes), and the
    outline points lie on x^T C^-1 x = k^2."""
    for e, c2 in (
        (horizontal_ellipses(c, sigma=sigma), c[:2, :2]),
        (section_ellipses(c, vsa, sigma=sigma), _section(c, vsa)),
    ):
        a, b, th = float(e.semi_major), float(e.semi_minor), math.radians(float(e.orientation))
        assert a >= b >= 0.0 and 0.0 <= float(e.orientation) < 180.0
        u = np.array([math.cos(th), math.sin(th)])
        v = np.array([-math.sin(th), math.cos(th)])
        rebuilt = (a * a * np.outer(u, u) + b * b * np.outer(v, v)) / sigma**2
        scale = max(float(np.abs(c2).max()), 1e-12)
        assert np.allclose(rebuilt, c2, atol=1e-7 * scale)
        if b > 1e-3 * a and b > 1e-6:
            x, y = e.outline([0.0], [0.0], points=17)
            pts = np.stack([x[0], y[0]])
            q = np.einsum("ip,ij,jp->p", pts, np.linalg.inv(c2), pts)
            assert np.allclose(q, sigma**2, rtol=1e-6)


def _section(c: np.ndarray, vsa: float) -> np.ndarray:
    a = math.radians(vsa)
    basis = np.array([[math.cos(a), math.sin(a), 0.0], [0.0, 0.0, 1.0]])
    return basis @ c @ basis.T


def test_outline_is_closed_and_centred() -> None:
    x, y = ellipse_outline([3.0, 1.0], [1.0, 1.0], [90.0, 0.0], [10.0, 0.0], [5.0, 0.0], 9)
    assert x.shape == (2, 9)
    assert x[0, 0] == x[0, -1] and y[0, 0] == y[0, -1]
    assert np.isclose(x[0].max(), 11.0) and np.isclose(y[0].max(), 8.0)  # major axis east
    assert np.allclose(np.hypot(x[1], y[1]), 1.0)


def test_result_ellipses_name_their_sigma_plane_and_north() -> None:
    md = np.arange(0.0, 1501.0, 30.0)
    res = position_uncertainty(
        md,
        np.clip(md / 20.0, 0, 60),
        np.full(md.size, 45.0),
        depth_unit="ft",
        north_reference="grid",
        grid_convergence=0.5,
        field=ReferenceField(total_field=5e4, dip=70.0, declination=2.0),
    )
    e = res.ellipses()
    assert e.sigma == 2.0 and e.depth_unit == "ft"
    assert e.label() == "2-sigma ellipses, horizontal plane (grid north)"
    assert np.allclose(e.vertical, 2.0 * np.sqrt(res.covariance[:, 2, 2]))
    s = res.section_ellipses(45.0, sigma=3.0)
    assert s.sigma == 3.0 and s.section_azimuth == 45.0
    # the major axis of a well drilled toward 45 deg lies across or along the hole: 45 or 135
    assert np.all(np.isclose(e.orientation[-5:] % 90.0, 45.0, atol=5.0))


@pytest.mark.parametrize(
    ("call", "text"),
    [
        (lambda: horizontal_ellipses(np.eye(2)), "shape (..., 3, 3)"),
        (lambda: horizontal_ellipses(np.full((3, 3), np.nan)), "finite"),
        (lambda: horizontal_ellipses(np.eye(3), sigma=0.0), "sigma multiple must be positive"),
        (lambda: section_ellipses(np.eye(3), math.nan), "section azimuth"),
        (lambda: ellipse_outline([1.0], [1.0], [0.0], [0.0], [0.0], points=3), "at least 4"),
    ],
)
def test_bad_ellipse_input_is_refused(call, text) -> None:
    with pytest.raises(SurveyInputError, match=text.replace("(", r"\(").replace(")", r"\)")):
        call()


@settings(max_examples=60, deadline=None)
@given(
    steps=st.lists(st.floats(0.01, 500.0), min_size=0, max_size=400),
    count=st.integers(1, 30),
)
def test_spaced_stations_are_few_increasing_and_end_at_td(steps, count):
    from surveylab.calc.uncertainty import spaced_stations

    md = np.cumsum(np.r_[0.0, steps]) if steps else np.zeros(0)
    pick = spaced_stations(md, count)
    if md.size == 0:
        assert pick.size == 0
        return
    assert pick.size <= count + 1 and pick[-1] == md.size - 1
    assert np.all(np.diff(pick) > 0) and pick[0] >= 0
    # no gap in MD between picked stations much larger than a spacing and a course
    span = md[-1] - md[0]
    if pick.size > 1 and span > 0:
        gaps = np.diff(md[np.r_[0, pick]])
        assert gaps.max() <= span / count + np.diff(md).max() + 1e-9
