"""Each page's choices as a small typed object: what a figure was computed with.

The pages build them from their widgets; snapshots save them and rebuild a view
from them, so they hold plain values only (ids, not objects) and round-trip
through :meth:`as_dict` / ``from_dict``. "Any tier" is ``None`` (one spelling,
:data:`analysis.standards.ANY_TIER`); "the whole county" is ``"all"`` on the
clusters page (:data:`ALL_CLUSTERS`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal, Self

__all__ = [
    "ALL_CLUSTERS",
    "CHOICES",
    "PAGES",
    "ClusterChoices",
    "CorridorChoices",
    "Page",
    "PageChoices",
    "ParksChoices",
]

Page = Literal["clusters", "corridors", "parks"]
PAGES: tuple[Page, ...] = ("clusters", "corridors", "parks")
ALL_CLUSTERS = "all"  # the clusters page with no cluster selected: the whole county


class _Choices:
    def as_dict(self) -> dict[str, Any]:
        """Return the choices as plain JSON-ready values."""
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> Self:
        """Rebuild the choices from :meth:`as_dict`'s output (unknown keys are ignored)."""
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in values.items() if k in names})


@dataclass(frozen=True)
class ClusterChoices(_Choices):
    """The cluster page: which cluster is selected ("all" for the county)."""

    cluster_id: str = ALL_CLUSTERS


@dataclass(frozen=True)
class CorridorChoices(_Choices):
    """The corridors page: station catchment radius and method, the selected station."""

    radius_m: int = 500
    method: Literal["straight", "network"] = "straight"
    station_id: str | None = None


@dataclass(frozen=True)
class ParksChoices(_Choices):
    """The parks page: standard, tier (None: any), method, demand, grid, view, tier basis.

    >>> c = ParksChoices("gbt51346_tiers", tier_id="community", method="network")
    >>> ParksChoices.from_dict(c.as_dict()) == c
    True
    """

    standard_id: str
    tier_id: str | None = None
    method: Literal["buffer", "network"] = "buffer"
    demand: str = "land"
    cell_m: int = 100
    view: Literal["coverage", "gap", "distance", "change"] = "coverage"
    basis: Literal["area", "class"] = "area"
    show_entrances: bool = False
    scenario: str = ""  # the planned parks' layer hash ("" : none)


PageChoices = ClusterChoices | CorridorChoices | ParksChoices
CHOICES: dict[Page, type[ClusterChoices] | type[CorridorChoices] | type[ParksChoices]] = {
    "clusters": ClusterChoices,
    "corridors": CorridorChoices,
    "parks": ParksChoices,
}
