"""Anti-collision: separation factors between a reference well and offset wells.

For every station of the reference well, the closest point of each offset well (the minimum
3-D distance along the offset's minimum-curvature arcs), the centre-to-centre distance D, the
pedal-curve radii of the two wells' covariances in the centre-to-centre direction and the
separation factor by the rule of the ISCWSA Collision Avoidance Work Group (Sawaryn et al.,
"Well-Collision-Avoidance Separation Rule", SPE 187073, SPE Drilling & Completion 34, 2019;
ISCWSA "Current Common Practice in Collision Avoidance Calculations", 2017):

    SF = (D - R_ref - R_off - S_m) / (k sigma_S),
    sigma_S = sqrt(sigma_ref^2 + sigma_off^2 + sigma_pa^2),

where sigma_ref = sqrt(n^T C_ref n) and sigma_off = sqrt(n^T C_off n) are the 1-sigma pedal-curve
radii of the two position covariances along the centre-to-centre unit vector n (the two wells'
errors taken as independent), sigma_pa the project-ahead uncertainty (the uncertainty of the
bit's position ahead of the last survey, taken as a sphere), S_m the surface margin, R_ref and
R_off the hole (or casing) radii and k the sigma multiple. SF < 1 is the rule's stop line;
operators commonly add a caution line at 1.5.

Search. The offset's courses are grouped in blocks of 32. Every point of a block lies within
a radius of its middle station (the farthest station plus half the longest course) and within
a deviation of the chord from its first to its last station, so the distance to that station
less the radius, and the distance to the chord less the deviation, are lower bounds for any
point of the block, and the distance to a station an upper bound for the closest point. Only
the blocks whose lower bounds are below the best upper bound are opened, then only the courses
that can still be closer (each lies within the deviation of its own stretch of the block's
chord, and within its sagitta of its own chord), and on those the closest point of the
circular arc is solved in closed form. The result is the exact minimum
over the whole offset (not a search near the nearest station), computed for all reference
stations and all offsets at once with arrays.

Between two offset stations the covariance is interpolated linearly in MD (as the ISCWSA
example calculations do). Where two wells touch (D = 0, at a sidetrack's kick-off) the
direction n is undefined and each pedal-curve radius is the covariance's largest semi-axis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from surveylab.calc.errors import SurveyInputError
from surveylab.models import DepthUnit
from surveylab.units import parse_depth_unit, to_metres

__all__ = [
    "ClearanceResult",
    "OffsetClearance",
    "SeparationRule",
    "WellPath",
    "clearance",
]

#: courses per block of the search
_BLOCK = 32
#: reference stations x blocks of one group of offsets (bounds the memory of the search)
_CHUNK = 4_000_000
#: reference stations x blocks searched at once (the search's arrays stay in the CPU cache)
_CACHE = 1 << 17
#: arcs with a dogleg below this [rad] are straight lines
_STRAIGHT = 1e-9
#: inclination below which the travelling cylinder measures from north [deg]
_VERTICAL = 1e-4


@dataclass(frozen=True, slots=True)
class SeparationRule:
    """The parameters of the ISCWSA separation rule.

    Attributes
    ----------
    k : float
        Sigma multiple of the combined pedal-curve radius [-] (3.5: a probability of crossing
        of about 1 in 10,000 for the rule's Gaussian model).
    sigma_pa : float
        Project-ahead uncertainty [m], 1 sigma: how well the bit's position ahead of the last
        survey station is known, taken as the radius of a sphere (default 0.5 m).
    surface_margin : float
        Surface margin S_m [m] added to the radii (default 0.3 m): covers small unidentified
        errors and the minimum slot separation, so the rule stops before nominal contact even
        with zero position uncertainty.
    """

    k: float = 3.5
    sigma_pa: float = 0.5
    surface_margin: float = 0.3

    def __post_init__(self) -> None:
        for name in ("k", "sigma_pa", "surface_margin"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v >= 0.0) or (name == "k" and v == 0.0):
                raise SurveyInputError(f"separation rule: {name} must be >= 0, got {v}", field=name)

    @property
    def description(self) -> str:
        return (
            "ISCWSA separation rule SF = (D - R_ref - R_off - S_m) / (k sigma_S), "
            f"k = {self.k:g}, sigma_pa = {self.sigma_pa:g} m, S_m = {self.surface_margin:g} m"
        )


@dataclass(frozen=True, eq=False)
class WellPath:
    """A well's stations with positions, covariances and hole radius (one depth unit).

    Attributes
    ----------
    name : str
    md, tvd, north, east : numpy.ndarray
        [depth unit], one per station; MD strictly increasing, at least two stations.
    inc, azi : numpy.ndarray
        [deg]; azimuths from the same north as ``north`` and ``east``.
    covariance : numpy.ndarray
        (n, 3, 3) NEV position covariances [depth unit^2], 1 sigma.
    radius : float or numpy.ndarray
        Hole or casing radius [depth unit] (one value, or one per station).
    """

    name: str
    md: np.ndarray
    inc: np.ndarray
    azi: np.ndarray
    tvd: np.ndarray
    north: np.ndarray
    east: np.ndarray
    covariance: np.ndarray
    radius: float | np.ndarray = 0.0

    def __post_init__(self) -> None:
        n = np.asarray(self.md).size
        for name in ("md", "inc", "azi", "tvd", "north", "east"):
            arr = np.asarray(getattr(self, name), dtype=np.float64)
            if arr.shape != (n,) or not np.all(np.isfinite(arr)):
                raise SurveyInputError(
                    f"well {self.name}: {name} must be finite numbers, one per station",
                    field=name,
                )
            object.__setattr__(self, name, arr)
        if n < 2:
            raise SurveyInputError(f"well {self.name}: needs at least two stations", field="md")
        if np.any(np.diff(self.md) <= 0):
            k = int(np.argmax(np.diff(self.md) <= 0)) + 1
            raise SurveyInputError(
                f"well {self.name}: station {k + 1} (MD {self.md[k]:g}): MD is not strictly "
                "increasing",
                station=k,
                field="md",
            )
        cov = np.asarray(self.covariance, dtype=np.float64)
        if cov.shape != (n, 3, 3) or not np.all(np.isfinite(cov)):
            raise SurveyInputError(
                f"well {self.name}: covariance must be finite, shape ({n}, 3, 3), got {cov.shape}",
                field="covariance",
            )
        object.__setattr__(self, "covariance", cov)
        r = np.broadcast_to(np.asarray(self.radius, dtype=np.float64), (n,))
        if not np.all(np.isfinite(r)) or np.any(r < 0.0):
            raise SurveyInputError(f"well {self.name}: radius must be >= 0", field="radius")
        object.__setattr__(self, "radius", r)

    @property
    def positions(self) -> np.ndarray:
        """(n, 3) north, east, TVD [depth unit]."""
        return np.stack([self.north, self.east, self.tvd], axis=-1)

    def moved(
        self,
        *,
        turn: float = 0.0,
        north: float = 0.0,
        east: float = 0.0,
        scale: float = 1.0,
        name: str | None = None,
    ) -> WellPath:
        """The same well in another frame: azimuths referred to a north ``turn`` degrees
        counter-clockwise of this one's (every azimuth grows by ``turn``), lengths times
        ``scale`` (a change of depth unit), then moved by (``north``, ``east``).

        Parameters
        ----------
        turn : float
            Degrees added to every azimuth [deg] (e.g. the grid convergence to go from grid to
            true north, the declination from magnetic to true).
        north, east : float
            Shift of the origin, in the new frame and unit [new depth unit].
        scale : float
            New depth units per old one [-].
        name : str, optional
            The moved well's name (default this one's).

        Returns
        -------
        WellPath
            Positions and covariances turned (C' = R C R^T) and scaled (by ``scale`` and its
            square), the radius scaled.
        """
        a = math.radians(turn)
        c, s = math.cos(a), math.sin(a)
        rot = np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])
        n = (c * self.north - s * self.east) * scale + north
        e = (s * self.north + c * self.east) * scale + east
        cov = np.einsum("ij,njk,lk->nil", rot, self.covariance, rot) * scale**2
        return WellPath(
            self.name if name is None else name,
            self.md * scale,
            self.inc,
            np.mod(self.azi + turn, 360.0),
            self.tvd * scale,
            n,
            e,
            cov,
            np.asarray(self.radius) * scale,
        )


@dataclass(frozen=True, eq=False)
class OffsetClearance:
    """Clearance of the reference well against one offset, one value per reference station.

    Attributes
    ----------
    offset : str
    reference_md : numpy.ndarray
        MD of the reference stations [depth unit] (the ladder plot's axis).
    offset_md : numpy.ndarray
        MD of the closest point on the offset [depth unit].
    closest : numpy.ndarray
        (n, 3) north, east, TVD of the closest point [depth unit].
    distance : numpy.ndarray
        Centre-to-centre distance D [depth unit].
    reference_pcr, offset_pcr : numpy.ndarray
        1-sigma pedal-curve radii along the centre-to-centre direction [depth unit].
    sigma_s : numpy.ndarray
        sqrt(reference_pcr^2 + offset_pcr^2 + sigma_pa^2) [depth unit].
    separation_factor : numpy.ndarray
        SF by the rule (the ladder plot's values).
    highside_angle : numpy.ndarray
        Travelling cylinder: direction of the closest point seen down the reference hole,
        clockwise from the reference's high side [deg, 0..360) (from north where the reference
        is vertical).
    normal_distance : numpy.ndarray
        Travelling cylinder: the centre-to-centre vector's length in the plane normal to the
        reference hole [depth unit].
    """

    offset: str
    reference_md: np.ndarray
    offset_md: np.ndarray
    closest: np.ndarray
    distance: np.ndarray
    reference_pcr: np.ndarray
    offset_pcr: np.ndarray
    sigma_s: np.ndarray
    separation_factor: np.ndarray
    highside_angle: np.ndarray
    normal_distance: np.ndarray

    @property
    def index_at_min(self) -> int:
        """Reference station of the minimum separation factor (the shallowest if tied)."""
        return int(np.argmin(self.separation_factor))

    @property
    def min_sf(self) -> float:
        return float(self.separation_factor[self.index_at_min])

    @property
    def md_at_min(self) -> float:
        """Reference MD of the minimum separation factor [depth unit]."""
        return float(self.reference_md[self.index_at_min])

    @property
    def ctc_at_min(self) -> float:
        """Centre-to-centre distance at the minimum separation factor [depth unit]."""
        return float(self.distance[self.index_at_min])


@dataclass(frozen=True, eq=False)
class ClearanceResult:
    """The reference well's clearance against each offset, with the rule that made it."""

    reference: str
    depth_unit: DepthUnit
    rule: SeparationRule
    offsets: list[OffsetClearance] = field(default_factory=list)


def clearance(
    reference: WellPath,
    offsets: Sequence[WellPath],
    *,
    depth_unit: DepthUnit | str,
    rule: SeparationRule | None = None,
) -> ClearanceResult:
    """Separation factors of a reference well against offset wells by the ISCWSA rule.

    Parameters
    ----------
    reference : WellPath
        The well being drilled or planned: stations, positions, covariances, radius.
    offsets : sequence of WellPath
        The wells to stay away from (positions in the same frame and unit as the reference).
    depth_unit : DepthUnit or str
        Unit of every length of the well paths (m, ft, usft); the rule's sigma_pa and surface
        margin (given in metres) are converted into it.
    rule : SeparationRule, optional
        k, sigma_pa, surface margin; default k = 3.5, sigma_pa = 0.5 m, S_m = 0.3 m.

    Returns
    -------
    ClearanceResult
        One :class:`OffsetClearance` per offset, in the order given.

    Raises
    ------
    SurveyInputError
        A well path with bad arrays (see :class:`WellPath`).
    """
    unit = parse_depth_unit(depth_unit)
    rule = SeparationRule() if rule is None else rule
    per_m = 1.0 / float(to_metres(1.0, unit))
    result = ClearanceResult(reference=reference.name, depth_unit=unit, rule=rule)
    if not offsets:
        return result
    p = reference.positions
    # offsets in groups whose search matrices stay within _CHUNK values
    group: list[WellPath] = []
    blocks = 0
    for off in offsets:
        nb = -(-(off.md.size - 1) // _BLOCK)
        if group and (blocks + nb) * p.shape[0] > _CHUNK:
            result.offsets.extend(_clearance_group(reference, group, rule, per_m))
            group, blocks = [], 0
        group.append(off)
        blocks += nb
    result.offsets.extend(_clearance_group(reference, group, rule, per_m))
    return result


class _Blocks:
    """Runs of ``size`` consecutive courses within one well, with bounds on their points.

    A sphere: every point of a block lies within ``radius`` of its middle station ``center``
    (the farthest of its stations from the centre plus half its longest course: a course's
    arc runs from its first station for its length and ends at its second, so each of its
    points is within half its length of one of them).

    A chord, from the block's first station A to its last B (unit vector ``axis``, length
    ``span``): every point lies within ``deviation`` of the segment AB (its stations' largest
    distance from it plus its courses' largest sagitta). Where the block runs forward along
    the chord (``forward``: every station tangent and course chord points along AB, so the
    tangents of the arcs between do too), every point projects into [0, span] once: each
    point of AB is then within ``deviation`` of the path, and each course projects into its
    own interval [``proj_start``, ``proj_end``] of AB.
    """

    def __init__(self, legs: _Legs, size: int) -> None:
        firsts, wells = [], []
        for w, (cf, count) in enumerate(zip(legs.course_first, legs.course_count, strict=True)):
            starts = cf + np.arange(0, count, size)
            firsts.append(starts)
            wells.append(np.full(starts.size, w))
        self.first = np.concatenate(firsts)  # first course of each block
        self.well = np.concatenate(wells)
        last_of_well = legs.course_first + legs.course_count - 1
        last = np.minimum(self.first + size - 1, last_of_well[self.well])
        self.count = last - self.first + 1
        lo = legs.start[self.first]  # first station of each block
        hi = legs.start[last] + 1  # last station
        self.center = (lo + hi) // 2
        self.chord_a = legs.pos[lo]
        ab = legs.pos[hi] - self.chord_a
        self.span = _norm(ab)
        self.axis = ab / np.where(self.span > 0.0, self.span, 1.0)[:, None]
        spread = np.zeros(self.first.size)
        off_chord = np.zeros(self.first.size)
        half = np.zeros(self.first.size)
        sag = np.zeros(self.first.size)
        forward = self.span > 0.0
        for k in range(size + 1):
            st = np.minimum(lo + k, hi)
            spread = np.maximum(spread, _norm(legs.pos[st] - legs.pos[self.center]))
            off_chord = np.maximum(
                off_chord, _segment_distance(legs.pos[st], self.chord_a, legs.pos[hi])
            )
            forward &= np.einsum("ij,ij->i", legs.tan[st], self.axis) > 0.0
            c = np.minimum(self.first + k, last)
            half = np.maximum(half, 0.5 * legs.reach[c])
            sag = np.maximum(sag, legs.sagitta[c])
        self.radius = spread + half
        self.deviation = off_chord + sag
        # each course's projection on its block's chord
        block_of = np.repeat(np.arange(self.first.size), self.count)
        s0 = legs.start[np.arange(legs.start.size)]
        self.proj_start = np.einsum(
            "ij,ij->i", legs.pos[s0] - self.chord_a[block_of], self.axis[block_of]
        )
        self.proj_end = np.einsum(
            "ij,ij->i", legs.pos[s0 + 1] - self.chord_a[block_of], self.axis[block_of]
        )
        backwards = self.proj_end <= self.proj_start
        forward &= ~np.logical_or.reduceat(backwards, self.first)
        self.forward = forward
        self.start_of_well = np.concatenate(
            ([0], np.cumsum(np.bincount(self.well, minlength=legs.course_first.size))[:-1])
        )


class _Legs:
    """The courses of a group of offsets, concatenated (arrays over courses or stations)."""

    def __init__(self, wells: Sequence[WellPath]) -> None:
        self.pos = np.concatenate([w.positions for w in wells])  # stations (S, 3)
        self.md = np.concatenate([w.md for w in wells])
        i = np.radians(np.concatenate([w.inc for w in wells]))
        a = np.radians(np.concatenate([w.azi for w in wells]))
        self.tan = np.stack([np.sin(i) * np.cos(a), np.sin(i) * np.sin(a), np.cos(i)], axis=-1)
        self.cov = np.concatenate([w.covariance for w in wells])
        self.radius = np.concatenate([np.asarray(w.radius) for w in wells])
        sizes = np.array([w.md.size for w in wells])
        first = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        # courses: station j to j + 1 within one well
        self.start = np.concatenate(
            [f + np.arange(s - 1) for f, s in zip(first, sizes, strict=True)]
        )
        self.course_count = sizes - 1
        self.course_first = np.concatenate(([0], np.cumsum(sizes - 1)[:-1]))
        self.length = self.md[self.start + 1] - self.md[self.start]
        t0, t1 = self.tan[self.start], self.tan[self.start + 1]
        self.dogleg = 2.0 * np.arctan2(
            np.linalg.norm(t1 - t0, axis=-1), np.linalg.norm(t1 + t0, axis=-1)
        )
        curved = self.dogleg > _STRAIGHT
        sin_b = np.where(curved, np.sin(self.dogleg), 1.0)
        self.normal = np.where(
            curved[:, None], (t1 - np.cos(self.dogleg)[:, None] * t0) / sin_b[:, None], 0.0
        )
        self.curved = curved
        # the chord stands in for the length where rounded positions make it the longer
        chord = np.linalg.norm(self.pos[self.start + 1] - self.pos[self.start], axis=-1)
        self.reach = np.maximum(self.length, chord)
        self.course_a = self.pos[self.start]
        self.course_v = self.pos[self.start + 1] - self.course_a
        self.course_inv_vv = 1.0 / np.maximum(
            np.einsum("ij,ij->i", self.course_v, self.course_v), 1e-300
        )
        # an arc's farthest point from its chord: R (1 - cos(beta / 2)), plus the rounding
        radius = np.where(curved, self.length / np.where(curved, self.dogleg, 1.0), 0.0)
        self.sagitta = 2.0 * radius * np.sin(0.25 * self.dogleg) ** 2 + (self.reach - self.length)
        self.blocks = _Blocks(self, _BLOCK)


class _Columns:
    """The arrays of the search, one coordinate per array.

    Gathering rows of an (n, 3) array by an index array takes several times as long as
    gathering each of three contiguous one-dimensional arrays (numpy's ``take``), and the search
    gathers 10^5-10^6 of them per stage, so every 3-vector of :class:`_Legs` and its blocks is
    kept here as three arrays (x, y, z = north, east, TVD). Per course: its first and last
    station ``a`` and ``b``, chord ``v = b - a``, first tangent ``t``, arc normal ``u``, radius
    of curvature (0 when straight); per block: centre station (with its squared length, for
    the distance matrix), chord origin and axis; per station: the covariance's components (see
    :func:`_components`).
    """

    def __init__(self, legs: _Legs, slack: float) -> None:
        blk = legs.blocks
        s0 = legs.start
        pos, tan = _columns(legs.pos), _columns(legs.tan)
        self.a = pos[0].take(s0), pos[1].take(s0), pos[2].take(s0)
        self.b = pos[0].take(s0 + 1), pos[1].take(s0 + 1), pos[2].take(s0 + 1)
        self.v = self.b[0] - self.a[0], self.b[1] - self.a[1], self.b[2] - self.a[2]
        self.t = tan[0].take(s0), tan[1].take(s0), tan[2].take(s0)
        self.u = _columns(legs.normal)
        self.inv_vv = legs.course_inv_vv
        self.sagitta = legs.sagitta
        self.dogleg = legs.dogleg
        self.length = legs.length
        self.curved = legs.curved
        self.radius = np.where(
            legs.curved, legs.length / np.where(legs.curved, legs.dogleg, 1.0), 0.0
        )
        self.center = legs.pos[blk.center]
        self.center_sq = np.einsum("ij,ij->i", self.center, self.center)
        self.radius_slack = blk.radius + slack
        self.chord_a = _columns(blk.chord_a)
        self.axis = _columns(blk.axis)
        self.cov = _components(legs.cov)


def _components(cov: np.ndarray) -> tuple[np.ndarray, ...]:
    """xx, yy, zz, xy + yx, xz + zx, yz + zy of (n, 3, 3) matrices, each contiguous: n^T C n is
    their sum weighted by nx^2, ny^2, nz^2, nx ny, nx nz, ny nz."""
    c = np.ascontiguousarray(cov.reshape(-1, 9).T)
    return c[0], c[4], c[8], c[1] + c[3], c[2] + c[6], c[5] + c[7]


def _columns(v: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three columns of an (n, 3) array, each contiguous."""
    c = np.ascontiguousarray(v.T)
    return c[0], c[1], c[2]


def _norm(v: np.ndarray) -> np.ndarray:
    return np.sqrt(np.einsum("ij,ij->i", v, v))


def _segment_distance(q: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distance of points q from segments a-b, all (n, 3)."""
    v = b - a
    w = q - a
    vv = np.einsum("ij,ij->i", v, v)
    t = np.einsum("ij,ij->i", w, v)
    np.divide(t, vv, out=t, where=vv > 0.0)
    np.clip(t, 0.0, 1.0, out=t)
    w -= t[:, None] * v
    return _norm(w)


def _count_below(
    values: np.ndarray, lo: np.ndarray, hi: np.ndarray, x: np.ndarray, equal: bool
) -> np.ndarray:
    """lo + the number of ``values[lo:hi]`` below ``x`` (at or below where ``equal``), each run
    lo:hi sorted and at most _BLOCK long: a branchless bisection by powers of two, all runs at
    once (within a block's few cache lines, where a search of the whole array misses them)."""
    below = np.less_equal if equal else np.less
    pos = lo.copy()
    top = values.size - 1
    step = 1 << (_BLOCK.bit_length() - 1)
    while step:
        probe = pos + (step - 1)
        ok = below(values.take(np.minimum(probe, top)), x)
        ok &= probe < hi
        pos += step * ok
        step >>= 1
    return pos


def _run_starts(key: np.ndarray, n: int) -> np.ndarray:
    """Where each run of equal ``key`` starts, for a sorted ``key`` holding each of 0 .. n - 1."""
    counts = np.bincount(key, minlength=n)
    assert counts.all()  # a run for every pair (each keeps the course of its closest point)
    return np.cumsum(counts) - counts


def _closest(
    p: np.ndarray, legs: _Legs, col: _Columns, n_wells: int, slack: float
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """Closest point of every offset to each point p: (course, fraction, point's x, y, z,
    distance), one row per (point, well), point-major (the search of the module docstring)."""
    blk = legs.blocks
    n_pairs = p.shape[0] * n_wells
    # 1. blocks: the best upper bound (a centre station) and the sphere's lower bound (squared:
    # |p - centre|^2 <= (upper + radius)^2); then the chord's lower bound, and for a forward
    # block the chord's upper bound. Every list below stays sorted by key = point x wells +
    # well (the row-major order of the (points, blocks) matrix), and every (point, well) keeps
    # at least the block holding its closest point, so the runs of equal key are the pairs
    # 0, 1, ... in order.
    d2 = np.einsum("ij,ij->i", p, p)[:, None] + col.center_sq
    d2 -= 2.0 * (p @ col.center.T)
    upper = np.sqrt(np.maximum(np.minimum.reduceat(d2, blk.start_of_well, axis=1), 0.0))
    limit = np.take(upper, blk.well, axis=1)
    limit += col.radius_slack
    limit *= limit
    ri, bi = np.divmod(np.flatnonzero(d2 <= limit), d2.shape[1])  # (faster than 2-D nonzero)
    key = ri * n_wells + blk.well.take(bi)
    px, py, pz = _columns(p)
    qx, qy, qz = px.take(ri), py.take(ri), pz.take(ri)
    rx, ry, rz = (
        qx - col.chord_a[0].take(bi),
        qy - col.chord_a[1].take(bi),
        qz - col.chord_a[2].take(bi),
    )
    along = rx * col.axis[0].take(bi) + ry * col.axis[1].take(bi) + rz * col.axis[2].take(bi)
    across = np.sqrt(np.maximum(rx * rx + ry * ry + rz * rz - along * along, 0.0))
    dev, forward = blk.deviation.take(bi), blk.forward.take(bi)
    to_chord = np.hypot(across, np.maximum(np.maximum(-along, along - blk.span.take(bi)), 0.0))
    chord_upper = np.where(forward, to_chord + dev, np.inf)
    bound = np.minimum(upper.ravel(), np.minimum.reduceat(chord_upper, _run_starts(key, n_pairs)))
    keep = np.flatnonzero(to_chord - dev <= bound.take(key) + slack)
    bi, key = bi.take(keep), key.take(keep)
    qx, qy, qz = qx.take(keep), qy.take(keep), qz.take(keep)
    along, across, dev, forward = (
        along.take(keep),
        across.take(keep),
        dev.take(keep),
        forward.take(keep),
    )
    # 2. courses of the open blocks. On a forward block each course lies within the deviation
    # of its own stretch [proj_start, proj_end] of the chord: only the run of courses whose
    # stretch comes within sqrt((bound + dev)^2 - across^2) of the point's projection can
    # be closer (found by bisection, the stretches being in order); on another, every course.
    reach = np.sqrt(np.maximum((bound.take(key) + dev + slack) ** 2 - across * across, 0.0))
    lo = blk.first.take(bi)
    hi = lo + blk.count.take(bi)
    first = np.where(forward, _count_below(blk.proj_end, lo, hi, along - reach, False), lo)
    last = np.where(forward, _count_below(blk.proj_start, lo, hi, along + reach, True), hi)
    counts = np.maximum(last - first, 0)
    offset = np.cumsum(counts) - counts  # of each block's first course in the list
    course = np.arange(int(counts.sum())) + np.repeat(first - offset, counts)
    pair_start = offset.take(_run_starts(key, n_pairs))  # each pair's first course
    key = np.repeat(key, counts)
    qx, qy, qz = np.repeat(qx, counts), np.repeat(qy, counts), np.repeat(qz, counts)
    # 3. each arc lies within its sagitta of its own chord
    vx, vy, vz = col.v[0].take(course), col.v[1].take(course), col.v[2].take(course)
    wx, wy, wz = qx - col.a[0].take(course), qy - col.a[1].take(course), qz - col.a[2].take(course)
    t = (wx * vx + wy * vy + wz * vz) * col.inv_vv.take(course)
    np.clip(t, 0.0, 1.0, out=t)
    wx -= t * vx
    wy -= t * vy
    wz -= t * vz
    chord = np.sqrt(wx * wx + wy * wy + wz * wz)
    sag = col.sagitta.take(course)
    bound = np.minimum(bound, np.minimum.reduceat(chord + sag, pair_start))
    chord -= sag
    keep = np.flatnonzero(chord <= bound.take(key) + slack)
    course, key = course.take(keep), key.take(keep)
    q = qx.take(keep), qy.take(keep), qz.take(keep)
    # 4. the closest point of each remaining arc, then the best course per (point, well)
    frac, point, dist = _closest_on_arcs(col, course, q)
    best = np.minimum.reduceat(dist, _run_starts(key, n_pairs))
    pick = _first_true_per_segment(dist <= best.take(key), key)
    assert pick.size == n_pairs  # every (point, well) has its closest point
    x, y, z = (c.take(pick) for c in point)
    return course.take(pick), frac.take(pick), (x, y, z), dist.take(pick)


def _clearance_group(
    reference: WellPath, wells: Sequence[WellPath], rule: SeparationRule, per_m: float
) -> list[OffsetClearance]:
    p = reference.positions
    n_ref, n_wells = p.shape[0], len(wells)
    legs = _Legs(wells)
    slack = 1e-9 * (1.0 + np.abs(p).max() + np.abs(legs.pos).max())
    col = _Columns(legs, slack)
    # the reference in runs of stations whose search arrays stay in the CPU cache
    step = max(1, _CACHE // max(1, legs.blocks.first.size))
    parts = [_closest(p[i : i + step], legs, col, n_wells, slack) for i in range(0, n_ref, step)]
    course = np.concatenate([part[0] for part in parts])
    frac = np.concatenate([part[1] for part in parts])
    x, y, z = (np.concatenate([part[2][k] for part in parts]) for k in range(3))
    dist = np.concatenate([part[3] for part in parts])
    rows = np.repeat(np.arange(n_ref), n_wells)
    # 5. separation factors (arrays over station x well, in key order: well fastest)
    s0 = legs.start.take(course)
    s1 = s0 + 1
    g = 1.0 - frac
    r_off = g * legs.radius.take(s0) + frac * legs.radius.take(s1)
    off_md = legs.md.take(s0) + frac * col.length.take(course)
    rx, ry, rz = _columns(p)
    vx, vy, vz = x - rx.take(rows), y - ry.take(rows), z - rz.take(rows)
    ref_cov = reference.covariance
    # n^T C n from the six components (the off-diagonal ones as C_ij + C_ji); where the wells
    # touch, n is undefined (replaced below)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        nx, ny, nz = vx / dist, vy / dist, vz / dist
        quad = (nx * nx, ny * ny, nz * nz, nx * ny, nx * nz, ny * nz)
        var_ref = sum(c.take(rows) * m for c, m in zip(_components(ref_cov), quad, strict=True))
        var_off = sum(
            (g * c.take(s0) + frac * c.take(s1)) * m for c, m in zip(col.cov, quad, strict=True)
        )
    pcr_ref = np.sqrt(np.maximum(var_ref, 0.0))
    pcr_off = np.sqrt(np.maximum(var_off, 0.0))
    touching = np.flatnonzero(dist <= slack)
    if touching.size:
        # no direction: the largest semi-axis of each covariance
        f = frac[touching][:, None, None]
        cov_off = (1.0 - f) * legs.cov[s0[touching]] + f * legs.cov[s1[touching]]
        cov_ref = ref_cov[rows[touching]]
        pcr_ref[touching] = np.sqrt(np.linalg.eigvalsh(cov_ref)[:, -1].clip(0.0))
        pcr_off[touching] = np.sqrt(np.linalg.eigvalsh(cov_off)[:, -1].clip(0.0))
    sigma_s = np.sqrt(pcr_ref**2 + pcr_off**2 + (rule.sigma_pa * per_m) ** 2)
    radii = np.asarray(reference.radius).take(rows) + r_off + rule.surface_margin * per_m
    with np.errstate(invalid="ignore", divide="ignore"):
        sf = (dist - radii) / (rule.k * sigma_s)
    angle, normal = _travelling_cylinder(reference, rows, (vx, vy, vz))
    point = np.stack([x, y, z], axis=-1)
    out = []
    for w, off in enumerate(wells):
        sel = slice(w, None, n_wells)
        out.append(
            OffsetClearance(
                offset=off.name,
                reference_md=reference.md.copy(),
                offset_md=off_md[sel],
                closest=point[sel],
                distance=dist[sel],
                reference_pcr=pcr_ref[sel],
                offset_pcr=pcr_off[sel],
                sigma_s=sigma_s[sel],
                separation_factor=sf[sel],
                highside_angle=angle[sel],
                normal_distance=normal[sel],
            )
        )
    return out


def _first_true_per_segment(flag: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Index of the first True of ``flag`` in each run of equal ``key`` (sorted; one each)."""
    idx = np.flatnonzero(flag)
    k = key[idx]
    return idx[np.r_[True, k[1:] != k[:-1]]]


def _closest_on_arcs(
    col: _Columns, course: np.ndarray, q: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """Closest point of each course's arc to each point: (fraction of the course, point's x, y,
    z, distance).

    On a circular arc X(phi) = P0 + R sin(phi) t0 + R (1 - cos phi) u, phi in [0, beta], the
    squared distance to Q is |P0 - Q|^2 + 2R (alpha sin phi + gamma (1 - cos phi)) with
    alpha = (P0 - Q).t0 and gamma = (P0 - Q).u + R, least at phi* = -atan2(alpha, gamma); the
    minimum over the arc is at phi* if it lies on the arc, else at an end: the three candidates
    are compared by that expression, and the point of the best one is then placed. A straight
    course takes the projection on the segment, clipped (|P0 - Q|^2 + 2 s alpha + s^2).
    """
    p0 = [c.take(course) for c in col.a]
    t0 = [c.take(course) for c in col.t]
    u = [c.take(course) for c in col.u]
    beta, length = col.dogleg.take(course), col.length.take(course)
    curved, radius = col.curved.take(course), col.radius.take(course)
    w = [p0[k] - q[k] for k in range(3)]
    alpha = w[0] * t0[0] + w[1] * t0[1] + w[2] * t0[2]
    gamma = w[0] * u[0] + w[1] * u[1] + w[2] * u[2] + radius
    phi = np.clip(-np.arctan2(alpha, gamma), 0.0, beta)
    s = np.clip(-alpha, 0.0, length)
    ww = w[0] * w[0] + w[1] * w[1] + w[2] * w[2]
    half_sin = np.sin(0.5 * phi)
    side = np.where(curved, 2.0 * radius * half_sin * half_sin, 0.0)
    along = np.where(curved, radius * np.sin(phi), s)
    # squared distances: the start station, the far end (the next station itself, no arc
    # rounding) and the arc's own least point
    end = [col.b[k].take(course) for k in range(3)]
    e = [end[k] - q[k] for k in range(3)]
    d_start = ww
    d_end = e[0] * e[0] + e[1] * e[1] + e[2] * e[2]
    d_mid = np.where(curved, ww + 2.0 * (along * alpha + side * gamma), ww + s * (2.0 * alpha + s))
    pick_end = d_end < d_start
    pick_mid = d_mid < np.where(pick_end, d_end, d_start)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac_mid = np.where(curved, phi / np.where(curved, beta, 1.0), s / length)
    frac = np.where(pick_mid, frac_mid, np.where(pick_end, 1.0, 0.0))
    move_a = np.where(pick_mid, along, 0.0)
    move_s = np.where(pick_mid, side, 0.0)
    end_only = pick_end & ~pick_mid
    point = tuple(
        np.where(end_only, end[k], p0[k] + move_a * t0[k] + move_s * u[k]) for k in range(3)
    )
    d = [point[k] - q[k] for k in range(3)]
    dist = np.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2])
    return frac, (point[0], point[1], point[2]), dist


def _travelling_cylinder(
    reference: WellPath, rows: np.ndarray, vec: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """High-side angle [deg, 0..360) and distance in the plane normal to the reference hole
    (the high-side and right-hand directions computed once per reference station)."""
    inc = np.radians(reference.inc)
    vertical = reference.inc < _VERTICAL
    azi = np.where(vertical, 0.0, np.radians(reference.azi))
    ci, si, ca, sa = np.cos(inc), np.sin(inc), np.cos(azi), np.sin(azi)
    hx = np.where(vertical, ca, ci * ca).take(rows)
    hy = np.where(vertical, sa, ci * sa).take(rows)
    hz = np.where(vertical, 0.0, -si).take(rows)
    x = vec[0] * hx + vec[1] * hy + vec[2] * hz
    y = vec[1] * ca.take(rows) - vec[0] * sa.take(rows)
    angle = np.mod(np.degrees(np.arctan2(y, x)), 360.0)
    angle = np.where(angle >= 360.0, 0.0, angle)
    return angle, np.hypot(x, y)
