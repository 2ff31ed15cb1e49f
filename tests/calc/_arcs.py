"""Exact circular arcs in any plane, for analytic tests (not a test module)."""

from __future__ import annotations

import numpy as np


def angles(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inclination and azimuth [deg] of unit tangents (N, E, TVD)."""
    inc = np.degrees(np.arctan2(np.hypot(t[..., 0], t[..., 1]), t[..., 2]))
    azi = np.mod(np.degrees(np.arctan2(t[..., 1], t[..., 0])), 360.0)
    return inc, azi


class Arc:
    """p(s) = p0 + R (t0 sin(s/R) + u (1 - cos(s/R))), tangent t0 cos + u sin."""

    def __init__(self, t0: np.ndarray, normal_hint: np.ndarray, radius: float, p0: np.ndarray):
        self.t0 = t0 / np.linalg.norm(t0)
        u = normal_hint - np.dot(normal_hint, self.t0) * self.t0
        self.u = u / np.linalg.norm(u)
        self.radius = radius
        self.p0 = np.asarray(p0, dtype=float)

    def position(self, s: np.ndarray) -> np.ndarray:
        phi = np.asarray(s)[:, None] / self.radius
        return self.p0 + self.radius * (self.t0 * np.sin(phi) + self.u * (1.0 - np.cos(phi)))

    def tangent(self, s: np.ndarray) -> np.ndarray:
        phi = np.asarray(s)[:, None] / self.radius
        return self.t0 * np.cos(phi) + self.u * np.sin(phi)
