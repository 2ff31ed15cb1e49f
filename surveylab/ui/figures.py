"""Plotly figures of a survey: plan view, vertical section, 3-D, DLS against MD.

Every axis names its unit; TVD axes point down. Figures take a station DataFrame with the
columns of ``stations`` (md, inc, azi, tvd, north, east, dls, ...) and the depth unit.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from surveylab.calc import vertical_section
from surveylab.ui.style import COLORS
from surveylab.units import unit_label


def _layout(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.02, "font": {"size": 14}},
        height=height,
        margin={"l": 60, "r": 20, "t": 40, "b": 50},
        template="plotly_white",
        legend={"orientation": "h", "y": -0.2},
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
    edges = np.linspace(0, n, max_points + 1).astype(int)
    picks = [
        a + int(np.nanargmax(values[a:b])) if np.isfinite(values[a:b]).any() else a
        for a, b in itertools.pairwise(edges)
        if b > a
    ]
    idx = np.unique(np.r_[0, picks, n - 1])
    return df.iloc[idx]


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
                mode="lines+markers",
                marker={"size": 3},
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
                mode="lines+markers",
                marker={"size": 3},
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
    """The closure direction at the last station [deg], a sensible default section azimuth."""
    if stations.empty:
        return 0.0
    n, e = float(stations["north"].iloc[-1]), float(stations["east"].iloc[-1])
    if abs(n) < 1e-9 and abs(e) < 1e-9:
        return 0.0
    return float(np.degrees(np.arctan2(e, n)) % 360.0)
