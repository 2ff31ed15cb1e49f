"""sin and cos of many angles from one ``tan``: cheaper than ``np.sin`` and ``np.cos``.

On the benchmark machines numpy's ``tan`` costs much less than its ``sin`` plus ``cos`` (on the
current one about 1.4 ns per element against 8 ns each; bench/RESULTS.md), so the half-angle
identities below give both for a fraction of either.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["HALF_DEG_TO_RAD", "sin_cos_half"]

#: Degrees to radians of the half angle: multiply an angle [deg] by this for ``sin_cos_half``.
HALF_DEG_TO_RAD = math.pi / 360.0


def sin_cos_half(h: np.ndarray, cos_out: np.ndarray) -> None:
    """sin and cos of angles 2h from one ``tan`` call, in place.

    With t = tan(h): sin(2h) = 2t / (1 + t^2), cos(2h) = 2 / (1 + t^2) - 1, with 2 / (1 + t^2)
    held in ``cos_out`` on the way. Both within 2 ulp (absolute) of ``np.sin`` / ``np.cos``
    for angles in [-360, 360] deg, exact at 0 and 180 deg (tan of the float nearest pi/2 is
    finite; odd and even in h like sin and cos).

    Parameters
    ----------
    h : numpy.ndarray
        Half angles [rad] in [-pi, pi]; overwritten with sin(2h) [-].
    cos_out : numpy.ndarray
        Same shape as ``h``; receives cos(2h) [-].
    """
    np.tan(h, out=h)
    np.square(h, out=cos_out)
    cos_out += 1.0
    np.divide(2.0, cos_out, out=cos_out)
    h *= cos_out
    cos_out -= 1.0
