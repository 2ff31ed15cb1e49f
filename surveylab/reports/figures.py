"""Static SVG figures of surveys for the rendered reports, drawn in-process with matplotlib.

Plan view, vertical section, 3-D view, DLS against MD, and the well report's differences against
MD. Every function takes a station table (or several, labelled, for overlays), draws with the
object-oriented matplotlib API (no pyplot state, the SVG canvas explicitly) and returns the SVG
text of one ``<svg>`` element, ready to be inlined in HTML. Text stays text in the SVG (not
glyph outlines), so the report's HTML and PDF carry the axis labels. Every axis label names its
unit; TVD axes point down.

Station tables have the columns of :class:`surveylab.session.SurveyView.stations`: ``md``,
``tvd``, ``north``, ``east`` [depth unit], ``dls`` [deg per course length].
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np
import pandas as pd
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure, SubplotParams

from surveylab.calc import vertical_section
from surveylab.reports.style import COLORS
from surveylab.units import unit_label

#: Width of every figure [in]; fits a printed A4 or Letter page inside its margins.
WIDTH_IN = 7.5
_GROUP_ID = re.compile(r'id="([A-Za-z][A-Za-z0-9.]*_\d+)"')
_TOLERANCE_STYLE = {"color": "#888888", "linestyle": ":", "linewidth": 1.0}

Stations = pd.DataFrame | Sequence[tuple[str, pd.DataFrame]]


class Differences(Protocol):
    """What :func:`differences_view` reads of a comparison (see ``SurveyComparison``)."""

    @property
    def md(self) -> np.ndarray: ...
    @property
    def distance(self) -> np.ndarray: ...
    @property
    def d_inc(self) -> np.ndarray: ...
    @property
    def d_azi(self) -> np.ndarray: ...
    @property
    def azi_tolerance(self) -> np.ndarray: ...


def _text(label: str) -> str:
    """A label from data, with ``$`` escaped so matplotlib does not read it as mathtext."""
    return label.replace("$", r"\$")


def _series(
    stations: Stations, columns: Iterable[str], figure: str
) -> list[tuple[str, pd.DataFrame]]:
    """The (label, frame) pairs to draw, checked for the columns the figure needs.

    Raises
    ------
    ValueError
        No survey, an empty survey, or a missing column (named, with the survey's label).
    """
    series = [("survey", stations)] if isinstance(stations, pd.DataFrame) else list(stations)
    if not series:
        raise ValueError(f"{figure}: no survey to draw")
    for label, frame in series:
        missing = [c for c in columns if c not in frame]
        if missing:
            raise ValueError(f"{figure}: survey {label!r} has no column {', '.join(missing)}")
        if frame.empty:
            raise ValueError(f"{figure}: survey {label!r} has no stations")
    return series


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy(dtype=float)


def _new_figure(height_in: float) -> Figure:
    """A figure with fixed margins [in] (a layout engine would double the drawing time)."""
    margins = SubplotParams(
        left=0.85 / WIDTH_IN,
        right=1.0 - 0.2 / WIDTH_IN,
        bottom=0.6 / height_in,
        top=1.0 - 0.35 / height_in,
        hspace=0.12,
    )
    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=96, subplotpars=margins)
    FigureCanvasSVG(fig)
    return fig


def _svg(fig: Figure, name: str) -> str:
    """The figure as one ``<svg>`` element; the figure is cleared (closed) afterwards.

    ``name`` salts the SVG's element ids, so that several figures inlined in one HTML page keep
    distinct ids and the output is the same for the same data.
    """
    buffer = io.StringIO()
    try:
        with rc_context({"svg.fonttype": "none", "svg.hashsalt": f"surveylab-{name}"}):
            fig.savefig(buffer, format="svg", metadata={"Date": None})
    finally:
        fig.clear()
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    # matplotlib numbers its groups "figure_1", "axes_1", "line2d_1", ... in every figure;
    # prefix them so that figures inlined in one page keep unique ids (nothing refers to them)
    return _GROUP_ID.sub(rf'id="{name}-\1"', text)


def _legend(ax: Axes, count: int) -> None:
    if count > 1:
        ax.legend(loc="best", fontsize=8, frameon=False)


def _equal_limits(fig: Figure, ax: Axes, series: list[tuple[str, pd.DataFrame]]) -> None:
    """Equal scales on East and North: limits around every survey (at least 1 depth unit)
    in the proportions of the axes' box.

    Set explicitly: matplotlib's own equal-aspect adjustment of the data limits warns when a
    survey's extent is tiny against its offset from the origin.
    """
    east = np.concatenate([_column(df, "east") for _, df in series])
    north = np.concatenate([_column(df, "north") for _, df in series])
    e0, e1 = float(np.nanmin(east)), float(np.nanmax(east))
    n0, n1 = float(np.nanmin(north)), float(np.nanmax(north))
    box = ax.get_position()
    fig_w, fig_h = fig.get_size_inches()
    ratio = (box.width * fig_w) / (box.height * fig_h)  # box width per box height [-]
    height = max(n1 - n0, (e1 - e0) / ratio, 1.0) * 1.08
    width = height * ratio
    ax.set_xlim((e0 + e1 - width) / 2, (e0 + e1 + width) / 2)
    ax.set_ylim((n0 + n1 - height) / 2, (n0 + n1 + height) / 2)
    ax.set_aspect("equal", adjustable="box")


def plan_view(stations: Stations, depth_unit: str, north_ref: str = "true") -> str:
    """East against North at equal scales, one line per survey, the last station marked.

    Parameters
    ----------
    stations : pandas.DataFrame or sequence of (str, pandas.DataFrame)
        One station table, or labelled tables to overlay; columns ``north``, ``east``
        [depth unit].
    depth_unit : str
        Unit of the lengths: "m", "ft" or "usft".
    north_ref : str, optional
        North reference of the azimuths [text], e.g. "true" or "grid". Default "true".

    Returns
    -------
    str
        SVG text.

    Raises
    ------
    ValueError
        No survey, an empty survey, a missing column, or an unknown unit.
    """
    u = unit_label(depth_unit)
    series = _series(stations, ("north", "east"), "plan view")
    fig = _new_figure(5.0)
    ax = fig.add_subplot()
    for i, (label, df) in enumerate(series):
        color = COLORS[i % len(COLORS)]
        east, north = _column(df, "east"), _column(df, "north")
        ax.plot(east, north, color=color, linewidth=1.4, label=_text(label))
        ax.plot(east[-1:], north[-1:], "o", color=color, markersize=4)
    _equal_limits(fig, ax, series)
    ax.set_xlabel(f"East [{u}] ({_text(north_ref)} north)")
    ax.set_ylabel(f"North [{u}] ({_text(north_ref)} north)")
    ax.set_title("Plan view", loc="left", fontsize=11)
    ax.grid(True, color="#e5e5e5")
    _legend(ax, len(series))
    return _svg(fig, "plan")


def section_view(stations: Stations, depth_unit: str, vs_azimuth: float) -> str:
    """Vertical section along ``vs_azimuth`` against TVD, TVD increasing downwards.

    Parameters
    ----------
    stations : pandas.DataFrame or sequence of (str, pandas.DataFrame)
        One station table, or labelled tables to overlay; columns ``north``, ``east``, ``tvd``
        [depth unit]. VS is computed from N and E with the origin at (0, 0).
    depth_unit : str
        Unit of the lengths: "m", "ft" or "usft".
    vs_azimuth : float
        Vertical-section azimuth [deg].

    Returns
    -------
    str
        SVG text.

    Raises
    ------
    ValueError
        No survey, an empty survey, a missing column, or an unknown unit.
    """
    u = unit_label(depth_unit)
    series = _series(stations, ("north", "east", "tvd"), "vertical section")
    fig = _new_figure(4.2)
    ax = fig.add_subplot()
    for i, (label, df) in enumerate(series):
        vs = vertical_section(_column(df, "north"), _column(df, "east"), float(vs_azimuth))
        tvd = _column(df, "tvd")
        color = COLORS[i % len(COLORS)]
        ax.plot(vs, tvd, color=color, linewidth=1.4, label=_text(label))
        ax.plot(vs[-1:], tvd[-1:], "o", color=color, markersize=4)
    ax.invert_yaxis()
    ax.set_xlabel(f"Vertical section [{u}] along {float(vs_azimuth):.2f} deg")
    ax.set_ylabel(f"TVD [{u}]")
    ax.set_title(f"Vertical section ({float(vs_azimuth):.2f} deg)", loc="left", fontsize=11)
    ax.grid(True, color="#e5e5e5")
    _legend(ax, len(series))
    return _svg(fig, "section")


def view_3d(stations: Stations, depth_unit: str) -> str:
    """The well path in 3-D: East, North and TVD, TVD increasing downwards.

    Parameters
    ----------
    stations : pandas.DataFrame or sequence of (str, pandas.DataFrame)
        One station table, or labelled tables to overlay; columns ``north``, ``east``, ``tvd``
        [depth unit].
    depth_unit : str
        Unit of the lengths: "m", "ft" or "usft".

    Returns
    -------
    str
        SVG text.

    Raises
    ------
    ValueError
        No survey, an empty survey, a missing column, or an unknown unit.
    """
    u = unit_label(depth_unit)
    series = _series(stations, ("north", "east", "tvd"), "3-D view")
    fig = _new_figure(5.0)
    ax = fig.add_subplot(projection="3d")
    for i, (label, df) in enumerate(series):
        color = COLORS[i % len(COLORS)]
        ax.plot(
            _column(df, "east"),
            _column(df, "north"),
            _column(df, "tvd"),
            color=color,
            linewidth=1.4,
            label=_text(label),
        )
    ax.invert_zaxis()
    ax.set_xlabel(f"East [{u}]")
    ax.set_ylabel(f"North [{u}]")
    ax.set_zlabel(f"TVD [{u}]")
    ax.set_title("3-D view", loc="left", fontsize=11)
    _legend(ax, len(series))
    return _svg(fig, "3d")


def dls_view(stations: Stations, depth_unit: str, course_length: float) -> str:
    """Dogleg severity against MD, as steps: each course's DLS spans that course.

    Parameters
    ----------
    stations : pandas.DataFrame or sequence of (str, pandas.DataFrame)
        One station table, or labelled tables to overlay; columns ``md`` [depth unit] and
        ``dls`` [deg per ``course_length``], the DLS of the course ending at the station.
    depth_unit : str
        Unit of the lengths: "m", "ft" or "usft".
    course_length : float
        Course length the DLS is expressed per [depth unit], e.g. 30 m or 100 ft.

    Returns
    -------
    str
        SVG text.

    Raises
    ------
    ValueError
        No survey, an empty survey, a missing column, an unknown unit, or a course length
        that is not positive.
    """
    if not course_length > 0:
        raise ValueError(f"DLS view: course length must be positive, got {course_length!r}")
    u = unit_label(depth_unit)
    series = _series(stations, ("md", "dls"), "DLS view")
    fig = _new_figure(3.4)
    ax = fig.add_subplot()
    for i, (label, df) in enumerate(series):
        ax.plot(
            _column(df, "md"),
            _column(df, "dls"),
            drawstyle="steps-pre",
            color=COLORS[i % len(COLORS)],
            linewidth=1.2,
            label=_text(label),
        )
    ax.set_xlabel(f"MD [{u}]")
    ax.set_ylabel(f"DLS [deg/{course_length:g} {u}]")
    ax.set_title("Dogleg severity", loc="left", fontsize=11)
    ax.set_ylim(bottom=0.0)
    ax.grid(True, color="#e5e5e5")
    _legend(ax, len(series))
    return _svg(fig, "dls")


def differences_view(
    comparisons: Sequence[tuple[str, Differences]],
    depth_unit: str,
    reference: str,
    inc_tolerance: float,
) -> str:
    """3-D distance, dInc and dAzi of each compared run against MD, with the tolerances.

    Parameters
    ----------
    comparisons : sequence of (str, SurveyComparison)
        Label and differences ``run - reference`` of each run: ``md``, ``distance``
        [depth unit], ``d_inc``, ``d_azi`` (NaN where vertical) and ``azi_tolerance`` [deg].
    depth_unit : str
        Unit of the lengths: "m", "ft" or "usft".
    reference : str
        Name of the reference run [text], for the title.
    inc_tolerance : float
        Inclination tolerance drawn as +/- lines [deg].

    Returns
    -------
    str
        SVG text.

    Raises
    ------
    ValueError
        No comparison, a comparison without MDs (named), or an unknown unit.
    """
    u = unit_label(depth_unit)
    if not comparisons:
        raise ValueError("differences view: no comparison to draw")
    for label, cmp_ in comparisons:
        if np.size(cmp_.md) == 0:
            raise ValueError(f"differences view: comparison {label!r} has no MD in common")
    fig = _new_figure(6.4)
    axes = fig.subplots(3, 1, sharex=True)
    for i, (label, cmp_) in enumerate(comparisons):
        color = COLORS[(i + 1) % len(COLORS)]
        md = np.asarray(cmp_.md, dtype=float)
        for ax, values in zip(axes, (cmp_.distance, cmp_.d_inc, cmp_.d_azi), strict=True):
            ax.plot(md, np.asarray(values, dtype=float), color=color, linewidth=1.2)
        axes[0].lines[-1].set_label(_text(label))
        tol = np.asarray(cmp_.azi_tolerance, dtype=float)
        axes[2].plot(md, tol, **_TOLERANCE_STYLE)
        axes[2].plot(md, -tol, **_TOLERANCE_STYLE)
    axes[2].lines[-1].set_label("tolerance")
    axes[1].axhline(float(inc_tolerance), **_TOLERANCE_STYLE)
    axes[1].axhline(-float(inc_tolerance), **_TOLERANCE_STYLE)
    axes[0].set_ylabel(f"3-D [{u}]")
    axes[1].set_ylabel("dInc [deg]")
    axes[2].set_ylabel("dAzi [deg]")
    axes[2].set_xlabel(f"MD [{u}]")
    axes[0].set_title(f"Differences against {_text(reference)} along MD", loc="left", fontsize=11)
    for ax in axes:
        ax.grid(True, color="#e5e5e5")
    axes[0].legend(loc="best", fontsize=8, frameon=False)
    axes[2].legend(loc="best", fontsize=8, frameon=False)
    return _svg(fig, "differences")


def qc_view(
    stations: pd.DataFrame, limits: dict[str, float], depth_unit: str, title: str = ""
) -> str:
    """Raw-sensor QC of a revision: dBtotal, dDip and dGtotal against MD with the limit bands,
    stations outside a limit marked.

    Parameters
    ----------
    stations : pandas.DataFrame
        One row per station with raw readings: ``md`` [depth unit], ``d_btotal_nt`` [nT],
        ``d_dip_deg`` [deg], ``d_gtotal_g`` [g] (NaN without a reference) and ``passed``.
    limits : dict
        ``btotal_nt`` [nT], ``dip_deg`` [deg], ``gtotal_g`` [g]: drawn as +/- bands.
    depth_unit : str
        Unit of MD: "m", "ft" or "usft".
    title : str, optional
        Title of the figure [text].

    Returns
    -------
    str
        SVG text.

    Raises
    ------
    ValueError
        No station, or a missing column (named).
    """
    ((_label, frame),) = _series(
        stations, ("md", "d_btotal_nt", "d_dip_deg", "d_gtotal_g"), "QC view"
    )
    u = unit_label(depth_unit)
    md = _column(frame, "md")
    passed = frame["passed"] if "passed" in frame else pd.Series([None] * len(frame))
    failed = np.array([v is not None and v is not pd.NA and not bool(v) for v in passed])
    fig = _new_figure(6.0)
    axes = fig.subplots(3, 1, sharex=True)
    rows = (
        ("d_btotal_nt", "btotal_nt", "dBtotal [nT]"),
        ("d_dip_deg", "dip_deg", "dDip [deg]"),
        ("d_gtotal_g", "gtotal_g", "dGtotal [g]"),
    )
    for ax, (col, key, label) in zip(axes, rows, strict=True):
        values = _column(frame, col)
        lim = float(limits[key])
        ax.axhspan(-lim, lim, color="#e8f3e8", zorder=0)
        ax.axhline(lim, **_TOLERANCE_STYLE)
        ax.axhline(-lim, **_TOLERANCE_STYLE)
        ax.plot(md, values, color=COLORS[0], linewidth=1.0, marker="o", markersize=2.5)
        if failed.any():
            ax.plot(md[failed], values[failed], linestyle="none", marker="x", color="#c0392b",
                    markersize=6)  # fmt: skip
        ax.set_ylabel(label)
        ax.grid(True, color="#e5e5e5")
    axes[0].lines[2].set_label("limit")
    if failed.any():
        axes[0].lines[-1].set_label("outside a limit")
    axes[-1].set_xlabel(f"MD [{u}]")
    axes[0].set_title(_text(title or "Raw-sensor QC against the reference field"), loc="left",
                      fontsize=11)  # fmt: skip
    axes[0].legend(loc="best", fontsize=8, frameon=False)
    return _svg(fig, "qc")


def _draw_ellipses(ax: Axes, xs: np.ndarray, ys: np.ndarray, name: str) -> None:
    """One outline per row of ``xs``/``ys``, each its own SVG group ``<name>-ellipse-<i>``."""
    for i, (x, y) in enumerate(zip(xs, ys, strict=True)):
        ax.plot(x, y, color="#c83c14", linewidth=0.8, gid=f"{name}-ellipse-{i}")


def ellipse_plan_view(
    stations: pd.DataFrame,
    depth_unit: str,
    north_ref: str,
    outline_north: np.ndarray,
    outline_east: np.ndarray,
    label: str,
) -> str:
    """Plan view of one survey with its ellipses of uncertainty, at equal scales; the sigma
    and plane (``label``) are written on the plot.

    Parameters
    ----------
    stations : pandas.DataFrame
        Columns ``north``, ``east`` [depth unit].
    depth_unit : str
    north_ref : str
        North reference of the azimuths [text].
    outline_north, outline_east : numpy.ndarray
        Ellipse outlines, shape (n ellipses, points) [depth unit]
        (:meth:`surveylab.calc.uncertainty.Ellipses.outline`).
    label : str
        The ellipses' sigma and plane, e.g. "2-sigma ellipses, horizontal plane (true north)".

    Returns
    -------
    str
        SVG text; each ellipse is the group ``plan-ellipse-<i>``.
    """
    u = unit_label(depth_unit)
    series = _series(stations, ("north", "east"), "plan view with ellipses")
    df = series[0][1]
    fig = _new_figure(5.0)
    ax = fig.add_subplot()
    ax.plot(_column(df, "east"), _column(df, "north"), color=COLORS[0], linewidth=1.4)
    _draw_ellipses(ax, outline_east, outline_north, "plan")
    box = pd.DataFrame(
        {"east": np.asarray(outline_east).ravel(), "north": np.asarray(outline_north).ravel()}
    )
    _equal_limits(fig, ax, [("survey", df), ("ellipses", box)])
    ax.set_xlabel(f"East [{u}] ({_text(north_ref)} north)")
    ax.set_ylabel(f"North [{u}] ({_text(north_ref)} north)")
    ax.set_title(f"Plan view: {_text(label)}", loc="left", fontsize=10)
    ax.grid(True, color="#e5e5e5")
    return _svg(fig, "uncertainty-plan")


def ellipse_section_view(
    stations: pd.DataFrame,
    depth_unit: str,
    vs_azimuth: float,
    outline_vs: np.ndarray,
    outline_tvd: np.ndarray,
    label: str,
) -> str:
    """Vertical section of one survey with its ellipses of uncertainty in the section plane;
    the sigma and plane (``label``) are written on the plot.

    Parameters
    ----------
    stations : pandas.DataFrame
        Columns ``north``, ``east``, ``tvd`` [depth unit] (VS from the origin (0, 0)).
    depth_unit : str
    vs_azimuth : float
        Vertical-section azimuth [deg].
    outline_vs, outline_tvd : numpy.ndarray
        Ellipse outlines, shape (n ellipses, points) [depth unit].
    label : str
        The ellipses' sigma and plane.

    Returns
    -------
    str
        SVG text; each ellipse is the group ``section-ellipse-<i>``.
    """
    u = unit_label(depth_unit)
    df = _series(stations, ("north", "east", "tvd"), "section with ellipses")[0][1]
    fig = _new_figure(4.2)
    ax = fig.add_subplot()
    vs = vertical_section(_column(df, "north"), _column(df, "east"), float(vs_azimuth))
    ax.plot(vs, _column(df, "tvd"), color=COLORS[0], linewidth=1.4)
    _draw_ellipses(ax, outline_vs, outline_tvd, "section")
    ax.invert_yaxis()
    ax.set_xlabel(f"Vertical section [{u}] along {float(vs_azimuth):.2f} deg")
    ax.set_ylabel(f"TVD [{u}]")
    ax.set_title(f"Vertical section: {_text(label)}", loc="left", fontsize=10)
    ax.grid(True, color="#e5e5e5")
    return _svg(fig, "uncertainty-section")
