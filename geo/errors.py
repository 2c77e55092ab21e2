"""Error classes of the planning map; each also subclasses a built-in."""

from __future__ import annotations

__all__ = [
    "BoundaryDataError",
    "CRSError",
    "CacheVersionError",
    "JobRunningError",
    "LayerSpecError",
    "OSMDownloadError",
    "ParkAccessError",
    "PlanningMapError",
    "ScenarioError",
    "SitingError",
    "SnapshotError",
    "SnapshotNotFoundError",
    "StandardError",
    "UnknownLayerError",
    "UploadError",
    "UsageError",
    "WalkNetworkError",
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


class WalkNetworkError(PlanningMapError, ValueError):
    """The walk network is empty or inconsistent."""


class ParkAccessError(PlanningMapError, ValueError):
    """The inputs of a park-access computation are unusable."""


class SitingError(PlanningMapError, ValueError):
    """A site-suggestion request cannot be answered (no network, too large to solve exactly)."""


class StandardError(PlanningMapError, ValueError):
    """A park standard (or the park-access rules) in the settings is invalid."""


class CacheVersionError(PlanningMapError, ValueError):
    """An OpenStreetMap cache was written by another version and cannot be upgraded."""


class UsageError(PlanningMapError, ValueError):
    """A command line was given bad arguments (a missing option, an unknown choice)."""


class UploadError(PlanningMapError, ValueError):
    """A planner's file cannot be read or does not fit the layer it is meant for."""


class ScenarioError(UploadError):
    """A planned park or a scenario is unusable (not a polygon, no area, a bad year)."""


class JobRunningError(PlanningMapError, RuntimeError):
    """Another long job (an OpenStreetMap refresh or import) is running for the same cache."""


class SnapshotError(PlanningMapError, ValueError):
    """A snapshot cannot be saved, read or deleted (a long title, a newer schema, a bad token)."""


class SnapshotNotFoundError(SnapshotError, KeyError):
    """No snapshot has this id (or the id is malformed)."""

    def __str__(self) -> str:
        """Return the message itself (KeyError would quote it)."""
        return str(self.args[0]) if self.args else ""


class OSMDownloadError(PlanningMapError, ConnectionError):
    """Overpass could not be reached or did not answer completely."""
