"""Plotly figures of a survey: plan view, vertical section, 3-D, DLS against MD.

Every axis names its unit; TVD axes point down. Figures take a station DataFrame with the
columns of ``stations`` (md, inc, azi, tvd, north, east, dls, ...) and the depth unit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from surveylab import calc
from surveylab.calc import vertical_section
from surveylab.reports.style import COLORS
from surveylab.units import unit_label

# The look of surveylab's figures. As plotly's default template it is attached when a figure
# is made (about 2 ms); given per figure (``template=...``) plotly validates and copies the
# whole template each time (about 30 ms a figure).
pio.templates.default = "plotly_white"
# figures go through the JupyterLab plotly renderer extension (bundled, offline)
pio.renderers.default = "plotly_mimetype"


def _layout(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.02, "font": {"size": 14}},
        height=height,
        margin={"l": 60, "r": 20, "t": 40, "b": 50},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


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
    ):
        fig._repr_mimebundle_()


def warmup() -> go.Figure:
    """A tiny line figure: shown hidden, it makes the page load plotly.js and run its line
    drawing once ahead of need."""
    return go.Figure(
        go.Scatter(x=[0.0, 1.0], y=[0.0, 1.0], mode="lines"),
        layout={"width": 40, "height": 40, "margin": {"l": 0, "r": 0, "t": 0, "b": 0}},
    )


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
    stations: pd.DataFrame | Sequence[tuple[str, pd.DataFrame]], keep_max: str | None = None
):
    if isinstance(stations, pd.DataFrame):
        stations = [("survey", stations)]
    return [(name, thin(df, keep_max=keep_max)) for name, df in stations]


def plan_view(stations, depth_unit: str, north_ref: str = "true") -> go.Figure:
    """East against North (equal scales), one trace per survey."""
    u = unit_label(depth_unit)
    fig = go.Figure()
    for i, (name, df) in enumerate(_series(stations)):
        fig.add_trace(
            go.Scatter(
                x=df["east"],
                y=df["north"],
                **_station_style(df),
                line={"color": COLORS[i % len(COLORS)]},
                name=name,
                hovertemplate=f"MD %{{customdata:.2f}} {u}<br>E %{{x:.2f}}<br>N %{{y:.2f}}",
                customdata=df["md"],
            )
        )
    fig.update_xaxes(title=f"East [{u}] ({north_ref} north)")
    fig.update_yaxes(title=f"North [{u}] ({north_ref} north)", scaleanchor="x", scaleratio=1)
    return _layout(fig, "Plan view")


def section_view(stations, depth_unit: str, vs_azimuth: float) -> go.Figure:
    """Vertical section along ``vs_azimuth`` [deg] against TVD (down)."""
    u = unit_label(depth_unit)
    fig = go.Figure()
    for i, (name, df) in enumerate(_series(stations)):
        vs = vertical_section(df["north"].to_numpy(), df["east"].to_numpy(), vs_azimuth)
        fig.add_trace(
            go.Scatter(
                x=vs,
                y=df["tvd"],
                **_station_style(df),
                line={"color": COLORS[i % len(COLORS)]},
                name=name,
                customdata=df["md"],
                hovertemplate=f"MD %{{customdata:.2f}} {u}<br>VS %{{x:.2f}}<br>TVD %{{y:.2f}}",
            )
        )
    fig.update_xaxes(title=f"Vertical section [{u}] along {vs_azimuth:.2f} deg")
    fig.update_yaxes(title=f"TVD [{u}]", autorange="reversed")
    return _layout(fig, f"Vertical section ({vs_azimuth:.2f} deg)")


def view_3d(stations, depth_unit: str) -> go.Figure:
    u = unit_label(depth_unit)
    fig = go.Figure()
    for i, (name, df) in enumerate(_series(stations)):
        fig.add_trace(
            go.Scatter3d(
                x=df["east"],
                y=df["north"],
                z=df["tvd"],
                mode="lines",
                line={"color": COLORS[i % len(COLORS)], "width": 5},
                name=name,
            )
        )
    fig.update_layout(
        scene={
            "xaxis_title": f"East [{u}]",
            "yaxis_title": f"North [{u}]",
            "zaxis_title": f"TVD [{u}]",
            "zaxis": {"autorange": "reversed"},
        }
    )
    return _layout(fig, "3-D view", height=450)


def dls_view(stations, depth_unit: str, course_length: float) -> go.Figure:
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
    return _layout(fig, "Dogleg severity")


def default_vs_azimuth(stations: pd.DataFrame) -> float:
    """The closure direction of the last station [deg], the default section azimuth
    (:func:`surveylab.calc.default_vs_azimuth`, as in the reports)."""
    return calc.default_vs_azimuth(stations["north"], stations["east"])
