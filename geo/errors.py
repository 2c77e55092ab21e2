"""Error classes of the planning map; each also subclasses a built-in."""

from __future__ import annotations

__all__ = [
    "BoundaryDataError",
    "CRSError",
    "LayerSpecError",
    "PlanningMapError",
    "UnknownLayerError",
]


class PlanningMapError(Exception):
    """Base class for errors the UI shows to the user as a message."""


class BoundaryDataError(PlanningMapError, ValueError):
    """A boundary or cluster data file is missing, unreadable or inconsistent."""


class CRSError(PlanningMapError, ValueError):
    """A coordinate reference system is missing or not the one expected."""


class LayerSpecError(PlanningMapError, ValueError):
    """A layer specification is invalid."""


class UnknownLayerError(PlanningMapError, KeyError):
    """A layer id is not in the registry."""
