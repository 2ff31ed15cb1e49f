"""Look shared by the reports' static figures (matplotlib, :mod:`surveylab.reports.figures`)
and the dashboards' interactive ones (plotly, :mod:`surveylab.ui.figures`, which import it from
here: the dashboards may use the reports, never the other way round)."""

#: Line colours of overlaid surveys, in order.
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b")
