"""Many surveys in one call: stations of every survey laid end to end (ragged arrays).

The stations of all surveys are concatenated (``md``, ``inc``, ``azi``) and either the number
of stations of each survey (``lengths``) or where each one starts (``offsets``) says which is
which. One pass of the minimum-curvature kernel (:func:`surveylab.calc.mincurve.positions_kernel`)
covers them all: there is no loop over surveys in Python, so 10,000 short surveys cost about
what one survey of the same total length costs. The results equal calling
:func:`surveylab.calc.compute_trajectory` on each survey (to rounding, see
:class:`Trajectories`), with the same tie-on rules: each survey's own tie-on, else a vertical
hole from MD 0, TVD 0, N 0, E 0, recorded as assumed.

Each survey's course from a tie-on shallower than its first station is computed by the same
kernel on the pairs (tie-on, first station) of all such surveys at once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from surveylab.calc import derived
from surveylab.calc.errors import SurveyInputError, station_label, well_label
from surveylab.calc.gate import survey_offsets, validate_many
from surveylab.calc.mincurve import (
    _MD_EQUAL_RTOL,
    Positions,
    _UTurn,
    positions_kernel,
    uturn_message,
)
from surveylab.calc.trajectory import NO_TIE_ON_ASSUMPTION, Trajectory
from surveylab.models import DepthUnit, TieOn
from surveylab.units import UnitError, dls_course_length, parse_depth_unit

__all__ = ["TieOns", "Trajectories", "compute_trajectories", "minimum_curvature_many"]

_TIE_FIELDS = ("md", "inc", "azi", "tvd", "north", "east")


@dataclass(frozen=True, eq=False)
class TieOns:
    """The tie-ons of many surveys, one value per survey in each array.

    Attributes
    ----------
    md, tvd, north, east : numpy.ndarray
        Tie-on points [depth unit of the surveys].
    inc, azi : numpy.ndarray
        Tie-on inclination and azimuth [deg] (azimuth in the surveys' north reference).
    assumed : numpy.ndarray
        Per survey, True where nobody stated the tie-on and the vertical-from-surface
        default stands in (bool).
    """

    md: np.ndarray
    inc: np.ndarray
    azi: np.ndarray
    tvd: np.ndarray
    north: np.ndarray
    east: np.ndarray
    assumed: np.ndarray

    def __post_init__(self) -> None:
        arrays = [np.asarray(getattr(self, k), dtype=np.float64) for k in _TIE_FIELDS]
        assumed = np.asarray(self.assumed, dtype=bool)
        sizes = {a.shape for a in (*arrays, assumed)}
        if len(sizes) != 1 or arrays[0].ndim != 1:
            raise SurveyInputError(
                f"tie-on arrays must be 1-D and of one length, got shapes {sorted(sizes)}",
                field="tie_on",
            )
        for k, a in zip(_TIE_FIELDS, arrays, strict=True):
            object.__setattr__(self, k, a)
        object.__setattr__(self, "assumed", assumed)

    @classmethod
    def surface(cls, count: int) -> TieOns:
        """``count`` tie-ons at the default assumption: vertical from MD 0, TVD 0, N 0, E 0."""
        zeros = np.zeros(count)
        return cls(zeros, zeros, zeros, zeros, zeros, zeros, np.ones(count, dtype=bool))

    @classmethod
    def from_arrays(
        cls,
        md: npt.ArrayLike,
        inc: npt.ArrayLike,
        azi: npt.ArrayLike,
        tvd: npt.ArrayLike,
        north: npt.ArrayLike,
        east: npt.ArrayLike,
    ) -> TieOns:
        """Stated tie-ons (none assumed) from one array per quantity [depth unit, deg]."""
        md_a, inc_a, azi_a, tvd_a, north_a, east_a = (
            np.asarray(v, dtype=np.float64) for v in (md, inc, azi, tvd, north, east)
        )
        assumed = np.zeros(md_a.shape, dtype=bool)
        return cls(md_a, inc_a, azi_a, tvd_a, north_a, east_a, assumed)

    @classmethod
    def from_list(cls, ties: Sequence[TieOn | None]) -> TieOns:
        """From one :class:`TieOn` or None (the default assumption) per survey.

        A convenience that loops over the surveys; build from arrays for speed.
        """
        values = [TieOn.surface() if t is None else t for t in ties]
        md, inc, azi, tvd, north, east = (
            np.array([getattr(t, k) for t in values], dtype=np.float64) for k in _TIE_FIELDS
        )
        assumed = np.array([t.assumed for t in values], dtype=bool)
        return cls(md, inc, azi, tvd, north, east, assumed)

    def __len__(self) -> int:
        return int(self.md.size)

    def __getitem__(self, index: int) -> TieOn:
        md, inc, azi, tvd, north, east = (float(getattr(self, k)[index]) for k in _TIE_FIELDS)
        return TieOn(md, inc, azi, tvd, north, east, assumed=bool(self.assumed[index]))


@dataclass(eq=False)
class Trajectories:
    """Computed surveys laid end to end: one value per station in every station array.

    Survey ``w`` is stations ``offsets[w]`` to ``offsets[w + 1] - 1`` (see :meth:`well`).
    Units and meanings are those of :class:`~surveylab.calc.Trajectory`: lengths in
    ``depth_unit``, angles in degrees, dls, build_rate and turn_rate in degrees per
    ``dls_course_length``, toolface in [0, 360) (NaN where a course is straight). ``vs`` is
    None when no vertical-section azimuth was given, else NaN for the surveys without one.
    Each survey's values equal :func:`~surveylab.calc.compute_trajectory` on it alone to
    rounding: positions within about 1e-13 of the summed course lengths in a block of 8,192
    stations (the running sums restart at each survey's first station within a block).
    """

    md: np.ndarray
    inc: np.ndarray
    azi: np.ndarray
    tvd: np.ndarray
    north: np.ndarray
    east: np.ndarray
    dogleg: np.ndarray
    dls: np.ndarray
    build_rate: np.ndarray
    turn_rate: np.ndarray
    toolface: np.ndarray
    vs: np.ndarray | None
    offsets: np.ndarray
    tie_ons: TieOns
    depth_unit: DepthUnit
    dls_course_length: float
    names: tuple[str, ...] | None = None
    vs_azimuth: np.ndarray | None = None
    vs_origin: np.ndarray | None = None
    method: str = field(default="minimum_curvature")

    def __len__(self) -> int:
        """Number of surveys [-]."""
        return int(self.offsets.size - 1)

    @property
    def lengths(self) -> np.ndarray:
        """Number of stations of each survey [-]."""
        return np.diff(self.offsets)

    def index(self, key: int | str) -> int:
        """0-based index of the survey ``key`` (an index, or one of ``names``)."""
        if isinstance(key, str):
            if self.names is None or key not in self.names:
                raise KeyError(f"no survey named {key!r}")
            return self.names.index(key)
        count = len(self)
        if not -count <= key < count:
            raise IndexError(f"survey {key} out of range: {count} surveys")
        return int(key) % count

    def well(self, key: int | str) -> Trajectory:
        """Survey ``key`` (index or name) as a :class:`Trajectory` (its arrays are views)."""
        w = self.index(key)
        a, b = int(self.offsets[w]), int(self.offsets[w + 1])
        tie = self.tie_ons[w]
        vs = vs_azimuth = None
        origin = (0.0, 0.0)
        if (
            self.vs is not None
            and self.vs_azimuth is not None
            and not math.isnan(self.vs_azimuth[w])
        ):
            vs, vs_azimuth = self.vs[a:b], float(self.vs_azimuth[w])
            if self.vs_origin is not None:
                origin = (float(self.vs_origin[w, 0]), float(self.vs_origin[w, 1]))
        return Trajectory(
            md=self.md[a:b],
            inc=self.inc[a:b],
            azi=self.azi[a:b],
            tvd=self.tvd[a:b],
            north=self.north[a:b],
            east=self.east[a:b],
            dogleg=self.dogleg[a:b],
            dls=self.dls[a:b],
            build_rate=self.build_rate[a:b],
            turn_rate=self.turn_rate[a:b],
            toolface=self.toolface[a:b],
            vs=vs,
            depth_unit=self.depth_unit,
            dls_course_length=self.dls_course_length,
            method=self.method,
            tie_on=tie,
            assumptions=[NO_TIE_ON_ASSUMPTION] if tie.assumed else [],
            vs_azimuth=vs_azimuth,
            vs_origin=origin,
        )

    def to_frame(self) -> pd.DataFrame:
        """Station table of every survey: a ``well`` column (0-based index, or the name when
        names were given), then md, inc, azi, tvd, north, east, dogleg, dls, build_rate,
        turn_rate, toolface, and vs when a vertical-section azimuth was given."""
        label = np.repeat(
            np.arange(len(self)) if self.names is None else np.array(self.names, dtype=object),
            self.lengths,
        )
        data: dict[str, np.ndarray] = {"well": label}
        for name in (
            "md",
            "inc",
            "azi",
            "tvd",
            "north",
            "east",
            "dogleg",
            "dls",
            "build_rate",
            "turn_rate",
            "toolface",
        ):
            data[name] = getattr(self, name)
        if self.vs is not None:
            data["vs"] = self.vs
        return pd.DataFrame(data)


def minimum_curvature_many(
    md: npt.ArrayLike,
    inc: npt.ArrayLike,
    azi: npt.ArrayLike,
    *,
    lengths: npt.ArrayLike | None = None,
    offsets: npt.ArrayLike | None = None,
    tie_ons: TieOns | Sequence[TieOn | None] | None = None,
    names: Sequence[str] | None = None,
) -> Positions:
    """Positions of many surveys' stations by minimum curvature, in one pass.

    Parameters
    ----------
    md : array_like
        Measured depths [m, ft or US ft] of every survey, concatenated survey after survey;
        strictly increasing within each survey.
    inc : array_like
        Inclinations [deg] in [0, 180], the same layout.
    azi : array_like
        Azimuths [deg] (normalised to [0, 360)), the same layout; each survey's north
        reference is the caller's.
    lengths : array_like of int, optional
        Stations of each survey [-], in order.
    offsets : array_like of int, optional
        Index of each survey's first station, then the number of stations [-]. Give exactly
        one of ``lengths`` and ``offsets``.
    tie_ons : TieOns or sequence of (TieOn or None), optional
        Each survey's tie-on (lengths in the unit of ``md``); None, or None for a survey:
        a vertical hole from MD 0, TVD 0, N 0, E 0 (as :func:`minimum_curvature`).
    names : sequence of str, optional
        Names of the surveys, used in error messages.

    Returns
    -------
    Positions
        tvd, north, east [unit of ``md``] and dogleg [deg] of every station, concatenated
        as the stations were.

    Raises
    ------
    SurveyInputError
        As :func:`minimum_curvature` does for one survey, naming the survey (``well``,
        0-based; 1-based and with its name in the message) and its station.
    """
    md_a, inc_a, azi_a, offs, ties, names_t = _prepare(
        md, inc, azi, lengths, offsets, tie_ons, names
    )
    out, _ = _positions(md_a, inc_a, azi_a, offs, ties, names_t)
    north, east, tvd, dogleg = out
    return Positions(tvd, north, east, dogleg)


def compute_trajectories(
    md: npt.ArrayLike,
    inc: npt.ArrayLike,
    azi: npt.ArrayLike,
    *,
    depth_unit: DepthUnit | str,
    lengths: npt.ArrayLike | None = None,
    offsets: npt.ArrayLike | None = None,
    tie_ons: TieOns | Sequence[TieOn | None] | None = None,
    names: Sequence[str] | None = None,
    vs_azimuth: npt.ArrayLike | None = None,
    vs_origin: npt.ArrayLike | None = None,
) -> Trajectories:
    """Compute many surveys' trajectories and derived quantities in one pass.

    Parameters
    ----------
    md, inc, azi : array_like
        Stations of every survey concatenated, as for :func:`minimum_curvature_many`:
        MD [``depth_unit``], inclination and azimuth [deg].
    depth_unit : DepthUnit or str
        Unit of every length of every survey (m, ft, usft); required, never assumed. Convert
        surveys in other units first (:func:`surveylab.units.convert`).
    lengths, offsets : array_like of int, optional
        Which stations belong to which survey (exactly one of the two; see
        :func:`minimum_curvature_many`).
    tie_ons : TieOns or sequence of (TieOn or None), optional
        Each survey's tie-on [``depth_unit``, deg]; where None, a vertical hole from MD 0
        is assumed and recorded in ``tie_ons.assumed``.
    names : sequence of str, optional
        Names of the surveys (messages, :meth:`Trajectories.well`, :meth:`Trajectories.to_frame`).
    vs_azimuth : array_like, optional
        Vertical-section azimuth of each survey [deg]; NaN for a survey without one.
    vs_origin : array_like, optional
        (number of surveys, 2): (N0, E0) of each survey's vertical section [``depth_unit``];
        default (0, 0).

    Returns
    -------
    Trajectories

    Raises
    ------
    SurveyInputError
        As :func:`compute_trajectory` does for one survey, naming the survey and station.
    """
    try:
        unit = parse_depth_unit(depth_unit)
    except UnitError as exc:
        raise SurveyInputError(str(exc), field="depth_unit") from None
    md_a, inc_a, azi_a, offs, ties, names_t = _prepare(
        md, inc, azi, lengths, offsets, tie_ons, names
    )
    count = offs.size - 1
    vsa, vso = _vs_parameters(vs_azimuth, vs_origin, count)
    out, heads = _positions(md_a, inc_a, azi_a, offs, ties, names_t)
    north, east, tvd, dogleg = out
    starts = offs[:-1]
    cl = dls_course_length(unit)
    rates = derived.course_rates(md_a, inc_a, azi_a, dogleg, cl, starts=starts)
    tf = derived.toolface(inc_a, azi_a, starts=starts)
    if heads is not None:  # the tie-on courses, from the pairs (tie-on, first station)
        sel, pmd, pinc, pazi, pdog = heads
        at = starts[sel]
        ends = np.arange(1, pmd.size, 2)
        pstarts = ends - 1
        prates = derived.course_rates(pmd, pinc, pazi, pdog, cl, starts=pstarts)
        rates.dls[at] = prates.dls[ends]
        rates.build_rate[at] = prates.build_rate[ends]
        rates.turn_rate[at] = prates.turn_rate[ends]
        tf[at] = derived.toolface(pinc, pazi, starts=pstarts)[ends]
    vs = None
    if vsa is not None:
        # VS = (N - N0) cos(VSA) + (E - E0) sin(VSA), each survey's values repeated over its
        # stations (derived.vertical_section for one survey)
        a, sizes = np.radians(vsa), np.diff(offs)
        cos_a, sin_a = np.repeat(np.cos(a), sizes), np.repeat(np.sin(a), sizes)
        if vso is None:
            vs = north * cos_a + east * sin_a
        else:
            n0, e0 = np.repeat(vso[:, 0], sizes), np.repeat(vso[:, 1], sizes)
            vs = (north - n0) * cos_a + (east - e0) * sin_a
    return Trajectories(
        md=md_a,
        inc=inc_a,
        azi=azi_a,
        tvd=tvd,
        north=north,
        east=east,
        dogleg=dogleg,
        dls=rates.dls,
        build_rate=rates.build_rate,
        turn_rate=rates.turn_rate,
        toolface=tf,
        vs=vs,
        offsets=offs,
        tie_ons=ties,
        depth_unit=unit,
        dls_course_length=cl,
        names=names_t,
        vs_azimuth=vsa,
        vs_origin=vso,
    )


def _prepare(
    md: npt.ArrayLike,
    inc: npt.ArrayLike,
    azi: npt.ArrayLike,
    lengths: npt.ArrayLike | None,
    offsets: npt.ArrayLike | None,
    tie_ons: TieOns | Sequence[TieOn | None] | None,
    names: Sequence[str] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, TieOns, tuple[str, ...] | None]:
    """Validated stations, offsets, tie-ons and names (the one gate of this module)."""
    n = int(np.size(md))
    offs = survey_offsets(n, lengths=lengths, offsets=offsets)
    count = offs.size - 1
    names_t = None if names is None else tuple(str(x) for x in names)
    if names_t is not None and len(names_t) != count:
        raise SurveyInputError(f"{len(names_t)} names given for {count} surveys", field="names")
    md_a, inc_a, azi_a = validate_many(md, inc, azi, offs, names_t)
    if tie_ons is None:
        ties = TieOns.surface(count)
    elif isinstance(tie_ons, TieOns):
        ties = tie_ons
    else:
        ties = TieOns.from_list(list(tie_ons))
    if len(ties) != count:
        raise SurveyInputError(f"{len(ties)} tie-ons given for {count} surveys", field="tie_on")
    _check_tie_ons(ties, md_a[offs[:-1]], names_t)
    return md_a, inc_a, azi_a, offs, ties, names_t


def _check_tie_ons(ties: TieOns, md0: np.ndarray, names: tuple[str, ...] | None) -> None:
    """Refuse, naming the first such survey, a tie-on that is not a number, has an
    inclination outside [0, 180] or lies deeper than the survey's first station (the rules of
    :func:`surveylab.calc.mincurve.resolve_tie_on`)."""
    finite = np.ones(len(ties), dtype=bool)
    for k in _TIE_FIELDS:
        finite &= np.isfinite(getattr(ties, k))
    bad_inc = ~((ties.inc >= 0.0) & (ties.inc <= 180.0))
    deeper = (ties.md > md0) & ~_md_equal(ties.md, md0)
    bad = ~finite | bad_inc | deeper
    if not bad.any():
        return
    w = int(np.argmax(bad))
    label = well_label(w, names)
    tie = ties[w]
    if not finite[w]:
        raise SurveyInputError(
            f"{label}: tie-on has a value that is not a number: {tie}", field="tie_on", well=w
        )
    if bad_inc[w]:
        raise SurveyInputError(
            f"{label}: tie-on inclination {tie.inc} outside [0, 180]", field="tie_on", well=w
        )
    what = "assumed tie-on at MD 0 (no tie-on given)" if tie.assumed else "tie-on"
    raise SurveyInputError(
        f"{label}: {station_label(0, float(md0[w]))}: first station is above the {what} "
        f"(MD {tie.md:g})",
        station=0,
        field="md",
        well=w,
    )


def _md_equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """:func:`surveylab.calc.mincurve._md_equal` element by element."""
    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), 1.0)
    return np.abs(a - b) <= _MD_EQUAL_RTOL * scale


def _positions(
    md: np.ndarray,
    inc: np.ndarray,
    azi: np.ndarray,
    offsets: np.ndarray,
    ties: TieOns,
    names: tuple[str, ...] | None,
) -> tuple[
    np.ndarray,
    tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None,
]:
    """(4, n) north, east, tvd, dogleg of every station, and the tie-on courses' pairs.

    The pairs (tie-on, first station) of the surveys whose tie-on is shallower than their
    first station go through the kernel first, as surveys of two stations each; their second
    stations give those surveys' first positions and doglegs. Returned with them: (indices of
    those surveys, pair MDs, inclinations, azimuths, doglegs), or None when there are none.
    """
    starts = offsets[:-1]
    first = np.empty((4, starts.size))
    first[0], first[1], first[2], first[3] = ties.north, ties.east, ties.tvd, 0.0
    md0 = md[starts]
    sel = np.flatnonzero(~_md_equal(ties.md, md0))
    heads = None
    if sel.size:
        pmd = np.empty(2 * sel.size)
        pinc, pazi = np.empty_like(pmd), np.empty_like(pmd)
        pmd[0::2], pinc[0::2], pazi[0::2] = ties.md[sel], ties.inc[sel], ties.azi[sel]
        pmd[1::2], pinc[1::2], pazi[1::2] = md0[sel], inc[starts[sel]], azi[starts[sel]]
        try:
            pout = positions_kernel(pmd, pinc, pazi, np.arange(0, pmd.size, 2), first[:, sel])
        except _UTurn as turn:
            w = int(sel[turn.index // 2])
            raise SurveyInputError(
                f"{well_label(w, names)}: {uturn_message(0, float(md0[w]), from_tie_on=True)}",
                station=0,
                field="inc",
                well=w,
            ) from None
        first[:, sel] = pout[:, 1::2]
        heads = (sel, pmd, pinc, pazi, pout[3])
    try:
        out = positions_kernel(md, inc, azi, starts, first)
    except _UTurn as turn:
        w = int(np.searchsorted(starts, turn.index, side="right")) - 1
        j = turn.index - int(starts[w])
        raise SurveyInputError(
            f"{well_label(w, names)}: {uturn_message(j, float(md[turn.index]), from_tie_on=False)}",
            station=j,
            field="inc",
            well=w,
        ) from None
    return out, heads


def _vs_parameters(
    vs_azimuth: npt.ArrayLike | None, vs_origin: npt.ArrayLike | None, count: int
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Checked vertical-section azimuths (count,) [deg] and origins (count, 2) [depth unit]."""
    if vs_azimuth is None:
        if vs_origin is not None:
            raise SurveyInputError(
                "a vertical-section origin needs vertical-section azimuths", field="vs_origin"
            )
        return None, None
    vsa = np.asarray(vs_azimuth, dtype=np.float64)
    if vsa.shape != (count,) or np.isinf(vsa).any():
        raise SurveyInputError(
            f"vertical-section azimuths must be {count} numbers (NaN: none for that survey), "
            f"got shape {vsa.shape}",
            field="vs_azimuth",
        )
    if vs_origin is None:
        return vsa, None
    vso = np.asarray(vs_origin, dtype=np.float64)
    if vso.shape != (count, 2) or not np.isfinite(vso).all():
        raise SurveyInputError(
            f"vertical-section origins must be ({count}, 2) finite numbers, got shape {vso.shape}",
            field="vs_origin",
        )
    return vsa, vso
