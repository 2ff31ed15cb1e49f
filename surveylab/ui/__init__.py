"""Widgets, dashboard apps and plotly figures (ipywidgets). Surfaces import from here."""
