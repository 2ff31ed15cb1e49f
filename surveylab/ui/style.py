"""Look shared by the interactive (plotly) and the static (matplotlib) figures."""

#: Line colours of overlaid surveys, in order.
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b")
