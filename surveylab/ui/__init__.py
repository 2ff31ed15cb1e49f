"""Widgets, dashboard apps and plotly figures (ipywidgets). Surfaces import from here."""

import sys

# plotly.io imports nbformat, whose jsonschema loads the optional IRI format checker
# rfc3987_syntax; that compiles a grammar at import and was most of a dashboard kernel's start
# (import surveylab.ui.runs_app: 7.9 s -> 1.5 s on the 2-core box). No dashboard validates
# IRIs: keep the optional checker out of processes that use the dashboards.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
