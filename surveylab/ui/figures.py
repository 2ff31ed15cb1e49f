"""Plotly figures of a survey: plan view, vertical section, 3-D, DLS against MD, the
differences of two surveys along MD, and the raw-sensor QC deltas against MD.

Every axis names its unit; TVD axes point down; plan view and vertical section are drawn at
equal scales (1:1); each figure states its north reference once, in its title. Figures take a
station DataFrame with the columns of ``stations`` (md, inc, azi, tvd, north, east, dls, ...)
and the depth unit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from surveylab import calc
from surveylab.calc import vertical_section
from surveylab.reports.style import COLORS
from surveylab.ui.labels import north_wording
from surveylab.units import unit_label

# The look of surveylab's figures. As plotly's default template it is attached when a figure
# is made (about 2 ms); given per figure (``template=...``) plotly validates and copies the
# whole template each time (about 30 ms a figure).
pio.templates.default = "plotly_white"
# figures go through the JupyterLab plotly renderer extension (bundled, offline)
pio.renderers.default = "plotly_mimetype"


_primed = False


def prime() -> None:
    """Make and serialise one small figure of each kind.

    plotly loads its template and each trace type's validators on first use (about 0.4 s
    here); a dashboard kernel started ahead of its user (Voila's pre-heated kernels) pays it
    when the app is made, instead of the first user who chooses a run. Once per process.
    """
    global _primed
    if _primed:
        return
    _primed = True
    df = pd.DataFrame(
        {
            "md": [0.0, 10.0],
            "tvd": [0.0, 10.0],
            "north": [0.0, 0.1],
            "east": [0.0, 0.1],
            "dls": [0.0, 1.0],
        }
    )
    for fig in (
        plan_view(df, "m"),
        section_view(df, "m", 0.0),
        view_3d(df, "m"),
        dls_view(df, "m", 30.0),
        differences_view(
            df["md"].to_numpy(),
            {k: df["md"].to_numpy() for k in DIFFERENCE_KEYS},
            "m",
            title="",
            inc_tolerance=0.23,
            azi_tolerance=df["md"].to_numpy(),
        ),
        qc_view(
            pd.DataFrame(
                {
                    "md": df["md"],
                    **{col: df["dls"] for col, _, _ in QC_PANELS},
                    "passed": [True, False],
                }
            ),
            {key: 1.0 for _, key, _ in QC_PANELS},
            "m",
            title="",
        ),
    ):
        fig._repr_mimebundle_()


def warmup() -> go.Figure:
    """A tiny figure of a line and a 3-D line: shown hidden, it makes the page load plotly.js
    and run its line drawing and its WebGL scene (context, shaders, axis text) once ahead of
    need. A 3-D view drawn after it takes about half the time of one drawn cold in software
    WebGL (bench/RESULTS.md, "Dashboards")."""
    df = pd.DataFrame(
        {"md": [0.0, 1.0], "tvd": [0.0, 1.0], "north": [0.0, 0.5], "east": [0.0, 0.5]}
    )
    fig = view_3d(df, "m")
    fig.add_trace(go.Scatter(x=[0.0, 1.0], y=[0.0, 1.0], mode="lines"))
    fig.update_layout(
        width=40,
        height=40,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        showlegend=False,
        title=None,
    )
    return fig


#: Most points drawn per trace: a 10,000-station survey is drawn from 2,000 of its stations
#: (screen resolution; the station table and exports keep every station).
MAX_POINTS = 2000


def thin(df: pd.DataFrame, max_points: int = MAX_POINTS, keep_max: str | None = None):
    """At most ``max_points`` rows of ``df`` for drawing, always with the first and last.

    With ``keep_max`` (a column name), each of the ``max_points`` bins keeps its row with the
    largest value of that column, so that a spike (a DLS dogleg) is never thinned away.
    """
    n = len(df)
    if n <= max_points:
        return df
    if keep_max is None:
        idx = np.unique(np.linspace(0, n - 1, max_points).round().astype(int))
        return df.iloc[idx]
    values = df[keep_max].to_numpy(dtype=float)
    edges = np.unique(np.linspace(0, n, max_points + 1).astype(int))
    starts = edges[:-1]
    # each bin's largest value (NaN never wins), then the first row of the bin holding it
    # (every bin has one; a bin of NaN only keeps its first row)
    filled = np.where(np.isnan(values), -np.inf, values)
    top = np.maximum.reduceat(filled, starts)
    bin_of = np.repeat(np.arange(starts.size), np.diff(edges))
    hits = np.flatnonzero(filled == top[bin_of])
    picks = hits[np.unique(bin_of[hits], return_index=True)[1]]
    idx = np.unique(np.r_[0, picks, n - 1])
    return df.iloc[idx]


#: Station markers are drawn up to this many points per trace; a longer survey is drawn as a
#: line (markers every few pixels only thicken it, and cost one SVG node each to draw).
MARKERS_UP_TO = 400


def _station_style(df: pd.DataFrame) -> dict:
    """Mode and marker of a position trace of ``df``'s rows (see :data:`MARKERS_UP_TO`)."""
    if len(df) <= MARKERS_UP_TO:
        return {"mode": "lines+markers", "marker": {"size": 3}}
    return {"mode": "lines"}


def _series(
    stations: pd.DataFrame | Sequence[tuple[str, pd.DataFrame]],
    keep_max: str | None = None,
    max_points: int = MAX_POINTS,
):
    if isinstance(stations, pd.DataFrame):
        stations = [("survey", stations)]
    return [(name, thin(df, max_points, keep_max=keep_max)) for name, df in stations]


def _title(kind: str, context: str, subtitle: str) -> dict:
    """A two-line title: what the figure is and of what (well, run, revision), then how to
    read it (north reference, section azimuth and origin)."""
    head = f"{kind}: {context}" if context else kind
    return {
        "text": f"{head}<br><span style='font-size:11px;color:#444'>{subtitle}</span>",
        "x": 0.01,
        "xanchor": "left",
        "font": {"size": 14},
    }


def _plain_title(title: str | dict) -> dict:
    return title if isinstance(title, dict) else {"text": title, "x": 0.01, "font": {"size": 14}}


def _layout(fig: go.Figure, title: str | dict, height: int = 380, top: int = 40) -> go.Figure:
    fig.update_layout(
        title=_plain_title(title),
        height=height,
        margin={"l": 64, "r": 16, "t": top, "b": 50},
        legend={"orientation": "h", "y": -0.16, "x": 0},
    )
    return fig


#: Wellhead and TD markers: the same look in every figure.
WELLHEAD_MARKER = {"symbol": "x-thin", "size": 11, "color": "#000", "line": {"width": 2}}
TD_MARKER = {"symbol": "diamond", "size": 9, "line": {"width": 1, "color": "#000"}}


def _end_markers(fig: go.Figure, ends: list[tuple[str, float, float, float, str]], u: str):
    """The wellhead at (0, 0) and one TD marker per survey (``(name, x, y, md, color)``)."""
    fig.add_trace(
        go.Scatter(
            x=[0.0],
            y=[0.0],
            mode="markers",
            marker=WELLHEAD_MARKER,
            name="Wellhead",
            hovertemplate="Wellhead (N 0, E 0)<extra></extra>",
        )
    )
    for name, x, y, md, color in ends:
        fig.add_trace(
            go.Scatter(
                x=[x],
                y=[y],
                mode="markers",
                marker={**TD_MARKER, "color": color},
                name="TD" if len(ends) == 1 else f"TD {name}",
                legendgroup="td",
                hovertemplate=f"TD {name}: MD {md:.2f} {u}<extra></extra>",
            )
        )


def plan_view(
    stations,
    depth_unit: str,
    north_ref: str = "true",
    *,
    context: str = "",
    height: int = 420,
) -> go.Figure:
    """East against North at equal scales (1:1), one trace per survey, the wellhead and
    each survey's TD marked. ``context`` names the well, run and revision in the title."""
    u = unit_label(depth_unit)
    fig = go.Figure()
    ends = []
    for i, (name, df) in enumerate(_series(stations)):
        color = COLORS[i % len(COLORS)]
        fig.add_trace(
            go.Scatter(
                x=df["east"],
                y=df["north"],
                **_station_style(df),
                line={"color": color},
                name=name,
                hovertemplate=f"MD %{{customdata:.2f}} {u}<br>E %{{x:.2f}}<br>N %{{y:.2f}}"
                "<extra></extra>",
                customdata=df["md"],
            )
        )
        if len(df):
            last = df.iloc[-1]
            ends.append((name, float(last["east"]), float(last["north"]), last["md"], color))
    _end_markers(fig, ends, u)
    fig.update_xaxes(title=f"East [{u}]", constrain="range")
    fig.update_yaxes(title=f"North [{u}]", scaleanchor="x", scaleratio=1, constrain="range")
    return _layout(fig, _title("Plan view", context, north_wording(north_ref)), height, 62)


def section_view(
    stations,
    depth_unit: str,
    vs_azimuth: float,
    north_ref: str = "true",
    *,
    context: str = "",
    origin: tuple[float, float] = (0.0, 0.0),
    height: int = 420,
) -> go.Figure:
    """Vertical section along ``vs_azimuth`` [deg] from ``origin`` (N0, E0) [depth unit]
    against TVD (down), at equal scales (1:1), with the wellhead and TD marked."""
    u = unit_label(depth_unit)
    fig = go.Figure()
    ends = []
    for i, (name, df) in enumerate(_series(stations)):
        color = COLORS[i % len(COLORS)]
        vs = vertical_section(df["north"].to_numpy(), df["east"].to_numpy(), vs_azimuth, origin)
        fig.add_trace(
            go.Scatter(
                x=vs,
                y=df["tvd"],
                **_station_style(df),
                line={"color": color},
                name=name,
                customdata=df["md"],
                hovertemplate=f"MD %{{customdata:.2f}} {u}<br>VS %{{x:.2f}}<br>TVD %{{y:.2f}}"
                "<extra></extra>",
            )
        )
        if len(df):
            ends.append((name, float(vs[-1]), float(df["tvd"].iloc[-1]), df["md"].iloc[-1], color))
    _end_markers(fig, ends, u)
    fig.update_xaxes(title=f"Vertical section [{u}]", constrain="range")
    fig.update_yaxes(
        title=f"TVD [{u}]", autorange="reversed", scaleanchor="x", scaleratio=1, constrain="range"
    )
    subtitle = (
        f"along {vs_azimuth:.2f}° ({north_wording(north_ref)}), "
        f"origin N {origin[0]:g}, E {origin[1]:g} {u}"
    )
    return _layout(fig, _title("Vertical section", context, subtitle), height, 62)


#: Most points a 3-D trace is drawn from: WebGL without a GPU (software rendering) draws a
#: line's every segment as triangles; 500 points keep a survey's shape at screen resolution.
MAX_POINTS_3D = 500


def view_3d(
    stations,
    depth_unit: str,
    north_ref: str = "true",
    *,
    context: str = "",
    height: int = 520,
) -> go.Figure:
    """East, North and TVD (down) as lines, from at most :data:`MAX_POINTS_3D` points per
    survey, with the wellhead and TD marked. The box keeps the survey's proportions where
    they are readable: no side is drawn shorter than a third of the longest."""
    u = unit_label(depth_unit)
    fig = go.Figure()
    spans = np.zeros(3)
    lows = np.full(3, np.inf)
    highs = np.full(3, -np.inf)
    tds = []
    for i, (name, df) in enumerate(_series(stations, max_points=MAX_POINTS_3D)):
        color = COLORS[i % len(COLORS)]
        xyz = [df["east"].to_numpy(float), df["north"].to_numpy(float), df["tvd"].to_numpy(float)]
        fig.add_trace(
            go.Scatter3d(
                x=xyz[0],
                y=xyz[1],
                z=xyz[2],
                mode="lines",
                line={"color": color, "width": 3},
                name=name,
                hoverinfo="skip",
            )
        )
        if len(df):
            for k in range(3):
                lows[k] = min(lows[k], 0.0, float(np.min(xyz[k])))
                highs[k] = max(highs[k], 0.0, float(np.max(xyz[k])))
            tds.append((xyz[0][-1], xyz[1][-1], xyz[2][-1], color, name, df["md"].iloc[-1]))
    if tds:
        spans = np.maximum(highs - lows, 1e-9)
    fig.add_trace(
        go.Scatter3d(
            x=[0.0] + [t[0] for t in tds],
            y=[0.0] + [t[1] for t in tds],
            z=[0.0] + [t[2] for t in tds],
            mode="markers",
            marker={"size": 4, "color": ["#000"] + [t[3] for t in tds], "symbol": "diamond"},
            name="Wellhead, TD",
            text=["Wellhead (N 0, E 0)"] + [f"TD {t[4]}: MD {t[5]:.2f} {u}" for t in tds],
            hoverinfo="text",
        )
    )
    # the camera looks across the survey's closure direction (the plane it mostly lies in),
    # from above the horizon: a well heading away from the viewer would look vertical
    direction = 0.0
    if tds:
        e_end, n_end = float(tds[0][0]), float(tds[0][1])
        if math.hypot(e_end, n_end) > 1e-9:
            direction = math.atan2(e_end, n_end)
    eye = {"x": 1.9 * math.cos(direction), "y": -1.9 * math.sin(direction), "z": 0.55}
    longest = float(spans.max()) if tds else 1.0
    ratio = np.maximum(spans / longest, 1 / 3) if tds else np.ones(3)

    def axis(title: str) -> dict[str, Any]:
        return {
            "nticks": 5,
            "tickfont": {"size": 10},
            "title": {"text": title, "font": {"size": 12}},
        }

    fig.update_layout(
        scene={
            "xaxis": axis(f"East [{u}]"),
            "yaxis": axis(f"North [{u}]"),
            "zaxis": {**axis(f"TVD [{u}]"), "autorange": "reversed"},
            "aspectmode": "manual",
            "aspectratio": {"x": ratio[0], "y": ratio[1], "z": ratio[2]},
            # looking a little below the box's middle keeps its lower edge, where the tick
            # labels and axis titles of East and North are, inside the scene
            "camera": {"eye": eye, "center": {"x": 0, "y": 0, "z": -0.12}},
        },
    )
    _layout(fig, _title("3-D view", context, north_wording(north_ref)), height, 62)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 62, "b": 0})
    return fig


def dls_view(
    stations, depth_unit: str, course_length: float, *, context: str = "", height: int = 240
) -> go.Figure:
    """Dogleg severity against MD (every spike kept when thinned)."""
    u = unit_label(depth_unit)
    fig = go.Figure()
    for i, (name, df) in enumerate(_series(stations, keep_max="dls")):
        fig.add_trace(
            go.Scatter(
                x=df["md"],
                y=df["dls"],
                mode="lines",
                line={"color": COLORS[i % len(COLORS)], "shape": "hv"},
                name=name,
            )
        )
    fig.update_xaxes(title=f"MD [{u}]")
    fig.update_yaxes(title=f"DLS [deg/{course_length:g} {u}]")
    return _layout(fig, f"Dogleg severity: {context}" if context else "Dogleg severity", height)


#: The differences :func:`differences_view` draws, positions then angles.
DIFFERENCE_KEYS = ("d_tvd", "d_north", "d_east", "horizontal", "distance", "d_inc", "d_azi")


def differences_view(
    md: np.ndarray,
    differences: dict[str, np.ndarray],
    depth_unit: str,
    *,
    title: str,
    inc_tolerance: float | None = None,
    azi_tolerance: np.ndarray | None = None,
    height: int = 520,
) -> go.Figure:
    """Differences of one survey against another along MD: positions (top) and angles
    (bottom), with the gyro tolerances as dotted lines where they apply.

    Parameters
    ----------
    md : numpy.ndarray
        MDs compared at [depth unit].
    differences : dict of str to numpy.ndarray
        ``d_tvd``, ``d_north``, ``d_east``, ``horizontal``, ``distance`` [depth unit] and
        ``d_inc``, ``d_azi`` [deg], one value per MD.
    depth_unit : str
        "m", "ft" or "usft".
    title : str
        The title (which runs, which is the reference).
    inc_tolerance : float, optional
        Inclination tolerance [deg], drawn at plus and minus.
    azi_tolerance : numpy.ndarray, optional
        Azimuth tolerance at each MD [deg], drawn at plus and minus.
    """
    from plotly.subplots import make_subplots

    u = unit_label(depth_unit)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    names = {
        "d_tvd": f"ΔTVD [{u}]",
        "d_north": f"ΔN [{u}]",
        "d_east": f"ΔE [{u}]",
        "horizontal": f"horizontal [{u}]",
        "distance": f"3-D distance [{u}]",
    }
    for i, (key, label) in enumerate(names.items()):
        fig.add_trace(
            go.Scatter(
                x=md,
                y=differences[key],
                mode="lines",
                name=label,
                line={"color": COLORS[i % len(COLORS)]},
            ),
            row=1,
            col=1,
        )
    for i, (key, label) in enumerate((("d_inc", "ΔInc [deg]"), ("d_azi", "ΔAzi [deg]"))):
        fig.add_trace(
            go.Scatter(
                x=md,
                y=differences[key],
                mode="lines",
                name=label,
                line={"color": COLORS[(i + 5) % len(COLORS)]},
            ),
            row=2,
            col=1,
        )
    dotted = {"color": "#666", "dash": "dot", "width": 1}
    if inc_tolerance is not None:
        for sign in (1, -1):
            fig.add_trace(
                go.Scatter(
                    x=[md[0], md[-1]],
                    y=[sign * inc_tolerance] * 2,
                    mode="lines",
                    line=dotted,
                    name=f"Inc tolerance ±{inc_tolerance:g} deg",
                    legendgroup="inc-tol",
                    showlegend=sign == 1,
                ),
                row=2,
                col=1,
            )
    if azi_tolerance is not None:
        for sign in (1, -1):
            fig.add_trace(
                go.Scatter(
                    x=md,
                    y=sign * azi_tolerance,
                    mode="lines",
                    line={**dotted, "color": "#a0522d", "shape": "hv"},
                    name="Azi tolerance [deg]",
                    legendgroup="azi-tol",
                    showlegend=sign == 1,
                ),
                row=2,
                col=1,
            )
    fig.update_yaxes(title=f"Position Δ [{u}]", row=1, col=1)
    fig.update_yaxes(title="Angle Δ [deg]", row=2, col=1)
    fig.update_xaxes(title=f"MD [{u}]", row=2, col=1)
    title_top = {"text": title, "x": 0.01, "y": 0.99, "yanchor": "top", "font": {"size": 14}}
    _layout(fig, title_top, height, 104)
    # the legend under the title, where it shows without scrolling
    fig.update_layout(legend={"orientation": "h", "y": 1.01, "yanchor": "bottom", "x": 0})
    return fig


#: The raw-sensor QC panels :func:`qc_view` draws: delta column, limit key, axis label.
QC_PANELS = (
    ("d_btotal_nt", "btotal_nt", "ΔBtotal [nT]"),
    ("d_dip_deg", "dip_deg", "ΔDip [deg]"),
    ("d_gtotal_g", "gtotal_g", "ΔGtotal [g]"),
)
#: Fill of the band within the limits, and the colour of a station outside a limit.
QC_BAND_FILL = "rgba(30, 123, 52, 0.10)"
QC_FAILED_COLOR = "#c0392b"


def _failed(passed: Any) -> bool:
    """Whether a station's ``passed`` value says it failed (None, NA or NaN: not judged)."""
    if passed is None or passed is pd.NA or (isinstance(passed, float) and math.isnan(passed)):
        return False
    return not bool(passed)


def qc_view(
    stations: pd.DataFrame,
    limits: dict[str, float],
    depth_unit: str,
    *,
    title: str,
    height: int = 560,
) -> go.Figure:
    """Raw-sensor QC of a revision: ΔBtotal, ΔDip and ΔGtotal against MD, each with its
    limit band (± the limit, shaded); a failed station is marked with a red cross in the
    panel of each quantity beyond its limit.

    Parameters
    ----------
    stations : pandas.DataFrame
        One row per station with raw readings: ``md`` [depth unit], ``d_btotal_nt`` [nT],
        ``d_dip_deg`` [deg], ``d_gtotal_g`` [g] (measured minus reference) and ``passed``
        (True, False, or None where it was not judged).
    limits : dict
        ``btotal_nt`` [nT], ``dip_deg`` [deg], ``gtotal_g`` [g]: the half-widths of the bands.
    depth_unit : str
        Unit of MD: "m", "ft" or "usft".
    title : str
        The title (which run and revision, against which reference).
    """
    from plotly.subplots import make_subplots

    u = unit_label(depth_unit)
    md = stations["md"].to_numpy(dtype=float)
    failed = np.array([_failed(v) for v in stations["passed"]], dtype=bool)
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.05)
    lo, hi = (float(md.min()), float(md.max())) if md.size else (0.0, 1.0)
    crossed = False
    for row, (col, key, label) in enumerate(QC_PANELS, start=1):
        lim = float(limits[key])
        unit = label.split("[")[1].rstrip("]")
        fig.add_trace(
            go.Scatter(
                x=[lo, hi, hi, lo, lo],
                y=[-lim, -lim, lim, lim, -lim],
                mode="lines",
                fill="toself",
                fillcolor=QC_BAND_FILL,
                line={"color": "#1e7b34", "dash": "dot", "width": 1},
                name=f"limit ±{lim:g} {unit}",
                hoverinfo="skip",
            ),
            row=row,
            col=1,
        )
        values = stations[col].to_numpy(dtype=float)
        fig.add_trace(
            go.Scatter(
                x=md,
                y=values,
                **_station_style(stations),
                line={"color": COLORS[0]},
                name=label,
                hovertemplate=f"MD %{{x:.2f}} {u}<br>{label.split(' [')[0]} %{{y:.4g}} "
                f"{unit}<extra></extra>",
            ),
            row=row,
            col=1,
        )
        # crossed where this quantity is beyond its limit (a station outside another
        # limit only is crossed in that one's panel)
        out = failed & (np.abs(values) > lim * (1 + 1e-9))
        if out.any():
            fig.add_trace(
                go.Scatter(
                    x=md[out],
                    y=values[out],
                    mode="markers",
                    marker={"symbol": "x", "size": 9, "color": QC_FAILED_COLOR},
                    name="outside a limit",
                    legendgroup="failed",
                    showlegend=not crossed,
                    hovertemplate=f"outside a limit: MD %{{x:.2f}} {u}<extra></extra>",
                ),
                row=row,
                col=1,
            )
            crossed = True
        fig.update_yaxes(title=label, row=row, col=1)
    fig.update_xaxes(title=f"MD [{u}]", row=3, col=1)
    title_top = {"text": title, "x": 0.01, "y": 0.99, "yanchor": "top", "font": {"size": 14}}
    _layout(fig, title_top, height, 96)
    fig.update_layout(legend={"orientation": "h", "y": 1.01, "yanchor": "bottom", "x": 0})
    return fig


def default_vs_azimuth(stations: pd.DataFrame) -> float:
    """The closure direction of the last station [deg], the default section azimuth
    (:func:`surveylab.calc.default_vs_azimuth`, as in the reports)."""
    return calc.default_vs_azimuth(stations["north"], stations["east"])


def add_ellipses(
    fig: go.Figure,
    ellipses: Any,
    x: np.ndarray,
    y: np.ndarray,
    md: np.ndarray,
    depth_unit: str,
    *,
    swap: bool = False,
) -> go.Figure:
    """Draw ellipses of uncertainty on a plan view or section: one trace, the outlines
    separated by gaps, named by the ellipses' sigma and plane (the legend says it).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
    ellipses : surveylab.calc.uncertainty.Ellipses
        The ellipses of the stations to draw (already picked, e.g. by
        :func:`surveylab.calc.uncertainty.spaced_stations`).
    x, y : numpy.ndarray
        Their centres in the outline's axes: (north, east) for the horizontal plane, (vertical
        section, TVD) for a section plane [depth unit].
    md : numpy.ndarray
        Their MDs [depth unit] (hover text).
    depth_unit : str
    swap : bool
        Plot the outline's y against its x (the plan view draws east across, north up).
    """
    ox, oy = ellipses.outline(x, y, points=49)
    if swap:
        ox, oy = oy, ox
    gap = np.full((ox.shape[0], 1), np.nan)
    u = unit_label(depth_unit)
    hover = np.repeat(np.asarray(md, dtype=float)[:, None], ox.shape[1] + 1, axis=1)
    fig.add_trace(
        go.Scatter(
            x=np.hstack([ox, gap]).ravel(),
            y=np.hstack([oy, gap]).ravel(),
            mode="lines",
            line={"color": "rgba(200, 60, 20, 0.8)", "width": 1},
            name=ellipses.label(),
            customdata=hover.ravel(),
            hovertemplate=f"{ellipses.sigma:g}-sigma ellipse at MD %{{customdata:.2f}} {u}"
            "<extra></extra>",
            connectgaps=False,
        )
    )
    return fig


#: The separation factors the ladder plot marks: 1.0 (the rule's minimum, stop drilling) and
#: 1.5 (the usual caution level, ISCWSA Collision Avoidance Work Group).
SF_LINES = ((1.0, "SF 1.0"), (1.5, "SF 1.5"))


def ladder_view(
    curves: Sequence[tuple[str, pd.DataFrame]],
    depth_unit: str,
    *,
    context: str = "",
    rule: str = "",
    height: int = 380,
) -> go.Figure:
    """Ladder plot: separation factor against the reference MD, one line per offset, with the
    SF 1.0 and 1.5 levels drawn and labelled.

    Parameters
    ----------
    curves : sequence of (str, pandas.DataFrame)
        Each offset's name and its ``md`` [depth unit] and ``sf`` [-] columns
        (:meth:`surveylab.services.uncertainty.ClearanceView.curves`).
    depth_unit : str
    context : str
        Well, run and revision of the reference (title).
    rule : str
        The separation rule and its parameters (subtitle).
    """
    u = unit_label(depth_unit)
    fig = go.Figure()
    for i, (name, df) in enumerate(curves):
        fig.add_trace(
            go.Scatter(
                x=df["md"],
                y=df["sf"],
                mode="lines",
                line={"color": COLORS[i % len(COLORS)]},
                name=name,
                hovertemplate=f"MD %{{x:.2f}} {u}<br>SF %{{y:.2f}}<extra>{name}</extra>",
            )
        )
    for level, label in SF_LINES:
        fig.add_hline(
            y=level,
            line={"color": "#d62728" if level == 1.0 else "#ff7f0e", "dash": "dash", "width": 1},
            annotation_text=label,
            annotation_position="top left",
        )
    fig.update_xaxes(title=f"Reference MD [{u}]")
    fig.update_yaxes(title="Separation factor [-]", rangemode="tozero")
    return _layout(
        fig, _title("Ladder plot", context, rule or "separation factor along the reference"),
        height, top=56,
    )  # fmt: skip


def travelling_cylinder_view(
    curves: Sequence[tuple[str, pd.DataFrame]],
    depth_unit: str,
    *,
    context: str = "",
    height: int = 420,
) -> go.Figure:
    """Travelling-cylinder plot (polar): each offset's closest point seen down the reference
    hole, angle clockwise from the reference's high side (from north where the reference is
    vertical), radius the centre-to-centre distance.

    Parameters
    ----------
    curves : sequence of (str, pandas.DataFrame)
        Each offset's name and its ``highside_angle`` [deg], ``ctc`` [depth unit] and ``md``
        (reference MD, hover) columns.
    depth_unit : str
    """
    u = unit_label(depth_unit)
    fig = go.Figure()
    for i, (name, df) in enumerate(curves):
        fig.add_trace(
            go.Scatterpolar(
                theta=df["highside_angle"],
                r=df["ctc"],
                mode="lines+markers",
                marker={"size": 4},
                line={"color": COLORS[i % len(COLORS)]},
                name=name,
                customdata=df["md"],
                hovertemplate=f"reference MD %{{customdata:.2f}} {u}<br>centre to centre "
                f"%{{r:.2f}} {u}<br>%{{theta:.1f}} deg from high side<extra>{name}</extra>",
            )
        )
    fig.update_layout(
        polar={
            "angularaxis": {"rotation": 90, "direction": "clockwise"},
            "radialaxis": {"title": {"text": f"C-C [{u}]"}},
        }
    )
    subtitle = (
        f"angle clockwise from the reference's high side (north where vertical) [deg]; "
        f"radius centre-to-centre distance [{u}]"
    )
    return _layout(fig, _title("Travelling cylinder", context, subtitle), height, top=56)
