"""A data grid for one page of rows: an HTML table a person clicks, sorts and moves through
with the keyboard, while the rows, their order and the paging stay with the caller (the
database).

Built on anywidget (its front end ships inside the Python package, so it works in Voila
without a network): the table's JavaScript (``grid.js``) and style (``grid.css``) sit beside
this module. The cells are plain text in a real ``<table>`` (``role="grid"``): screen readers,
text selection and the browser tests read them as they are shown.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

_HERE = Path(__file__).resolve().parent


class DataGrid(anywidget.AnyWidget):
    """One page of rows as a table.

    - click a row, or move to it with the arrow keys and press Enter: ``selected`` becomes
      its ``id`` (the row is highlighted and marked ``aria-selected``);
    - click a sortable column's head (or focus it and press Enter): ``sort_key`` becomes its
      key, or ``sort_descending`` flips when it already was; the caller then reads the page
      again in that order.

    Traits (synchronised with the browser)
    --------------------------------------
    columns : list of dict
        ``{"key": str, "label": str, "align": "l" | "r", "sortable": bool}``, in order.
    rows : list of dict
        One per row: ``"id"`` (str) and one text per column key.
    selected : str or None
        The chosen row's id.
    sort_key : str
        Key of the column the rows are sorted by ("" when none).
    sort_descending : bool
        The order of ``sort_key``.
    empty_text : str
        Shown instead of rows when there are none.
    label : str
        The table's accessible name.
    """

    _esm = _HERE / "grid.js"
    _css = _HERE / "grid.css"

    columns = traitlets.List(traitlets.Dict()).tag(sync=True)
    rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    selected = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    sort_key = traitlets.Unicode("").tag(sync=True)
    sort_descending = traitlets.Bool(False).tag(sync=True)
    empty_text = traitlets.Unicode("No rows.").tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)

    def cell_text(self) -> list[list[str]]:
        """The rows' texts, column by column, as shown (for tests and logs)."""
        keys = [c["key"] for c in self.columns]
        return [[str(r.get(k, "")) for k in keys] for r in self.rows]
