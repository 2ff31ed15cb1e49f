"""IPython extension loaded into the kernels that execute report notebooks (by
:mod:`surveylab.reports.render`; never into users' or dashboards' kernels).

After each cell it moves every object then alive into the garbage collector's permanent
generation (:func:`gc.freeze`). A report kernel imports pandas, SQLAlchemy, DuckDB and matplotlib,
hundreds of thousands of objects that live until the kernel ends, and the collector walked all of
them again at every full collection and once more when the kernel exits: 0.3-0.4 s of a report
(bench/RESULTS.md, Reports). Objects frozen stay alive until the kernel ends, which is when the
kernel would free them anyway. The report's content is not affected.
"""

from __future__ import annotations

import gc
from typing import Any


def _freeze(result: Any = None) -> None:
    gc.freeze()


def load_ipython_extension(ipython: Any) -> None:
    """Freeze the collector's view of the kernel's objects after every cell."""
    ipython.events.register("post_run_cell", _freeze)


def unload_ipython_extension(ipython: Any) -> None:
    ipython.events.unregister("post_run_cell", _freeze)
    gc.unfreeze()
