"""Words the dashboards and their figures share (light: no plotting library)."""

from __future__ import annotations


def north_wording(north_ref: object) -> str:
    """How a table or figure states its azimuths' reference, once: "azimuths from true
    north" (true, grid or magnetic), else that the file did not state it."""
    ref = str(north_ref or "unknown")
    if ref in ("true", "grid", "magnetic"):
        return f"azimuths from {ref} north"
    return "azimuths from a north reference the file did not state"
