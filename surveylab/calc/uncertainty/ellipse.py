"""Ellipses of uncertainty from NEV position covariances, at a stated sigma multiple.

A 3 x 3 covariance C (N, E, V; V = TVD down) cut by a plane gives a 2 x 2 covariance whose
eigenvalues l1 >= l2 and eigenvectors give the ellipse of k-sigma semi-axes k sqrt(l1),
k sqrt(l2). Two planes are drawn on survey plots:

- the horizontal plane (plan view): the major axis's azimuth from the survey's north, in
  [0, 180) deg, and the vertical half-height k sqrt(C_vv) drawn as an error bar on sections;
- a vertical-section plane at azimuth VSA: axes (u, V) with u = (cos VSA, sin VSA, 0); the
  major axis's angle from the section's horizontal axis toward TVD (down), in [0, 180) deg.

The sigma multiple k is a scale of the 1-sigma ellipse; what it contains depends on the
dimension (a 2-D 2-sigma ellipse holds 86.5 % of a normal distribution, a 1-D 2-sigma bar 95.4 %),
so the sigma and the plane are carried with every ellipse and written on every plot
(:meth:`Ellipses.label`): vendors differ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from surveylab.calc.errors import SurveyInputError

__all__ = [
    "DEFAULT_SIGMA",
    "Ellipses",
    "ellipse_outline",
    "horizontal_ellipses",
    "section_ellipses",
    "spaced_stations",
]

#: The default sigma multiple of ellipses.
DEFAULT_SIGMA = 2.0


@dataclass(frozen=True, eq=False)
class Ellipses:
    """Ellipses of uncertainty of many stations in one plane, at one sigma multiple.

    Attributes
    ----------
    semi_major, semi_minor : numpy.ndarray
        Semi-axes at ``sigma`` [depth unit].
    orientation : numpy.ndarray
        Direction of the major axis [deg] in [0, 180): in the horizontal plane its azimuth
        clockwise from north; in a section plane its angle from the section's horizontal axis
        toward TVD (down).
    vertical : numpy.ndarray
        Vertical half-height k sqrt(C_vv) [depth unit].
    sigma : float
        The sigma multiple k of every length here.
    plane : str
        "horizontal" or "vertical section".
    section_azimuth : float or None
        Azimuth of the section plane [deg] (None for the horizontal plane).
    north_reference, depth_unit : str
        For labels ("" when the caller did not say).
    """

    semi_major: np.ndarray
    semi_minor: np.ndarray
    orientation: np.ndarray
    vertical: np.ndarray
    sigma: float
    plane: str
    section_azimuth: float | None = None
    north_reference: str = ""
    depth_unit: str = ""

    def label(self) -> str:
        """What a plot must say, e.g. ``"2-sigma ellipses, horizontal plane (true north)"``."""
        where = (
            "horizontal plane"
            if self.section_azimuth is None
            else f"vertical section plane, azimuth {self.section_azimuth:g} deg"
        )
        north = f" ({self.north_reference} north)" if self.north_reference else ""
        return f"{self.sigma:g}-sigma ellipses, {where}{north}"

    def outline(
        self, center_x: npt.ArrayLike, center_y: npt.ArrayLike, points: int = 73
    ) -> tuple[np.ndarray, np.ndarray]:
        """Closed outlines for plotting, shape (n, points) each.

        Parameters
        ----------
        center_x, center_y : array_like
            Ellipse centres, one per station: (north, east) [depth unit] in the horizontal
            plane, (vertical section, TVD) in a section plane.
        points : int
            Points per outline (the last repeats the first).

        Returns
        -------
        x, y : numpy.ndarray
            North and east (horizontal plane) or section and TVD (section plane) coordinates.
        """
        return ellipse_outline(
            self.semi_major, self.semi_minor, self.orientation, center_x, center_y, points
        )


def _covariances(covariance: npt.ArrayLike) -> np.ndarray:
    c = np.asarray(covariance, dtype=np.float64)
    if c.ndim < 2 or c.shape[-2:] != (3, 3):
        raise SurveyInputError(
            f"covariances must have shape (..., 3, 3), got {c.shape}", field="covariance"
        )
    if not np.all(np.isfinite(c)):
        raise SurveyInputError("covariances must be finite numbers", field="covariance")
    return c


def _sigma(sigma: float) -> float:
    if not (math.isfinite(sigma) and sigma > 0.0):
        raise SurveyInputError(f"sigma multiple must be positive, got {sigma}", field="sigma")
    return float(sigma)


def _axes(a: np.ndarray, b: np.ndarray, c: np.ndarray, k: float) -> tuple[np.ndarray, ...]:
    """Semi-axes and orientation [deg, 0..180) of the 2 x 2 covariances [[a, b], [b, c]]."""
    mean = 0.5 * (a + c)
    half = np.hypot(0.5 * (a - c), b)
    major = k * np.sqrt(np.maximum(mean + half, 0.0))
    minor = k * np.sqrt(np.maximum(mean - half, 0.0))
    angle = np.mod(np.degrees(0.5 * np.arctan2(2.0 * b, a - c)), 180.0)
    angle = np.where(angle >= 180.0, 0.0, angle)  # -tiny wraps to 180.0 in floating point
    return major, minor, angle


def horizontal_ellipses(
    covariance: npt.ArrayLike,
    *,
    sigma: float = DEFAULT_SIGMA,
    north_reference: str = "",
    depth_unit: str = "",
) -> Ellipses:
    """Horizontal (plan-view) ellipses and vertical half-heights at ``sigma``.

    Parameters
    ----------
    covariance : array_like
        NEV covariances, shape (n, 3, 3) or (3, 3) [depth unit^2], 1 sigma.
    sigma : float
        Sigma multiple k (default 2).
    north_reference, depth_unit : str
        The north of N and E and the length unit, carried for labels.

    Returns
    -------
    Ellipses
        Semi-axes [depth unit], azimuth of the major axis [deg, 0..180) from north, vertical
        half-height [depth unit].
    """
    c = _covariances(covariance)
    k = _sigma(sigma)
    major, minor, azimuth = _axes(c[..., 0, 0], c[..., 0, 1], c[..., 1, 1], k)
    return Ellipses(
        semi_major=major,
        semi_minor=minor,
        orientation=azimuth,
        vertical=k * np.sqrt(np.maximum(c[..., 2, 2], 0.0)),
        sigma=k,
        plane="horizontal",
        north_reference=str(north_reference),
        depth_unit=str(depth_unit),
    )


def section_ellipses(
    covariance: npt.ArrayLike,
    section_azimuth: float,
    *,
    sigma: float = DEFAULT_SIGMA,
    north_reference: str = "",
    depth_unit: str = "",
) -> Ellipses:
    """Ellipses in the vertical-section plane at ``section_azimuth``, at ``sigma``.

    Parameters
    ----------
    covariance : array_like
        NEV covariances, shape (n, 3, 3) or (3, 3) [depth unit^2], 1 sigma.
    section_azimuth : float
        Azimuth of the vertical section [deg] from the same north as N and E.
    sigma : float
        Sigma multiple k (default 2).

    Returns
    -------
    Ellipses
        Semi-axes [depth unit]; orientation of the major axis [deg, 0..180) from the section's
        horizontal axis toward TVD (down); ``vertical`` the TVD half-height.
    """
    c = _covariances(covariance)
    k = _sigma(sigma)
    if not math.isfinite(section_azimuth):
        raise SurveyInputError("section azimuth must be a number", field="vs_azimuth")
    a = math.radians(section_azimuth)
    u = np.array([math.cos(a), math.sin(a), 0.0])
    uu = np.einsum("i,...ij,j->...", u, c, u)
    uv = np.einsum("i,...i->...", u, c[..., :, 2])
    major, minor, angle = _axes(uu, uv, c[..., 2, 2], k)
    return Ellipses(
        semi_major=major,
        semi_minor=minor,
        orientation=angle,
        vertical=k * np.sqrt(np.maximum(c[..., 2, 2], 0.0)),
        sigma=k,
        plane="vertical section",
        section_azimuth=float(section_azimuth),
        north_reference=str(north_reference),
        depth_unit=str(depth_unit),
    )


def ellipse_outline(
    semi_major: npt.ArrayLike,
    semi_minor: npt.ArrayLike,
    orientation: npt.ArrayLike,
    center_x: npt.ArrayLike,
    center_y: npt.ArrayLike,
    points: int = 73,
) -> tuple[np.ndarray, np.ndarray]:
    """Points on ellipses for plotting: (x, y) arrays of shape (n, points), closed.

    Parameters
    ----------
    semi_major, semi_minor : array_like
        Semi-axes [length].
    orientation : array_like
        Angle of the major axis from the x axis toward the y axis [deg] (an azimuth from north
        when x is north and y east; from the section axis toward TVD in a section).
    center_x, center_y : array_like
        Centres [length].
    points : int
        Points per ellipse, at least 4 (the last repeats the first).
    """
    if points < 4:
        raise SurveyInputError(f"an outline needs at least 4 points, got {points}")
    a = np.atleast_1d(np.asarray(semi_major, dtype=np.float64))[:, None]
    b = np.atleast_1d(np.asarray(semi_minor, dtype=np.float64))[:, None]
    th = np.radians(np.atleast_1d(np.asarray(orientation, dtype=np.float64)))[:, None]
    cx = np.atleast_1d(np.asarray(center_x, dtype=np.float64))[:, None]
    cy = np.atleast_1d(np.asarray(center_y, dtype=np.float64))[:, None]
    t = np.linspace(0.0, 2.0 * math.pi, points)[None, :]
    ca, sa = np.cos(t) * a, np.sin(t) * b
    x = cx + ca * np.cos(th) - sa * np.sin(th)
    y = cy + ca * np.sin(th) + sa * np.cos(th)
    x[:, -1], y[:, -1] = x[:, 0], y[:, 0]
    return x, y


def spaced_stations(md: npt.ArrayLike, count: int = 12) -> np.ndarray:
    """Stations to draw ellipses at: about ``count`` of them, evenly spaced in MD.

    The first station at or past each multiple of (MD range / ``count``) from the first one,
    and the last station; none repeated. A plot stays readable (ellipses of neighbouring
    stations overlap) and the growth of the uncertainty along the hole shows.

    Parameters
    ----------
    md : array_like
        Measured depths, increasing [depth unit].
    count : int
        About how many ellipses (at least 1).

    Returns
    -------
    numpy.ndarray
        Increasing station indices (empty for no stations).
    """
    m = np.asarray(md, dtype=np.float64)
    if m.size == 0:
        return np.zeros(0, dtype=np.intp)
    if count < 1:
        raise SurveyInputError(f"ellipse count must be at least 1, got {count}", field="count")
    span = float(m[-1] - m[0])
    if span <= 0.0:
        return np.array([m.size - 1], dtype=np.intp)
    marks = m[0] + span * np.arange(1, count + 1) / count
    picked = np.searchsorted(m, marks - 1e-9 * span, side="left")
    picked = np.unique(np.clip(np.r_[picked, m.size - 1], 0, m.size - 1))
    return picked.astype(np.intp)
