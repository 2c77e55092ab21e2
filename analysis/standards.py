"""Park service-radius standards: tiers, radii, targets and the rules read from them.

A standard is a set of tiers. A park counts for a tier when its area is at least
the tier's ``min_area_m2`` (a large park also serves the smaller tiers' purpose);
a place within the tier's ``radius_m`` of such a park is covered by that tier, and
covered by the standard when any tier covers it. The shipped standards are in
``data/settings/park_standards.json`` (read by :mod:`geo.standards`) with the source and
confidence of every number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from geo.errors import StandardError

__all__ = [
    "ANY_TIER_TEXT",
    "PARK_CLASS_IDS",
    "SURFACE_MIN_M",
    "ParkStandard",
    "StandardSettings",
    "StandardTier",
    "TierBasis",
    "default_limit_m",
    "qualifies",
    "sfca_radius_m",
    "standards_from_dict",
    "tier_from_text",
    "tier_of",
    "tier_text",
    "tiers_of",
]

# "Any tier" is ``None`` wherever a tier id is expected (choices, function arguments);
# in a CSV file or on a command line it is written as this word. ("*" is the whole
# county, :data:`analysis.indicators.WHOLE_AREA`, never a tier.)
ANY_TIER_TEXT = "any"


def tier_text(tier_id: str | None) -> str:
    """Return how a tier is written in a table or CSV file ("any" for any tier).

    >>> tier_text(None), tier_text("park")
    ('any', 'park')
    """
    return ANY_TIER_TEXT if tier_id is None else tier_id


def tier_from_text(text: str | None) -> str | None:
    """Return the tier id written as ``text`` (None for "any", an empty or missing value).

    >>> tier_from_text("any"), tier_from_text(""), tier_from_text("park")
    (None, None, 'park')
    """
    if text is None or text.strip().lower() in {ANY_TIER_TEXT, "", "none", "null"}:
        return None
    return text.strip()


# The distance surface reaches at least this far (its last class is "2 km or more").
SURFACE_MIN_M = 2000.0


def default_limit_m(radius_m: float) -> float:
    """Search limit of a tier: twice its radius, and at least ``SURFACE_MIN_M``.

    >>> default_limit_m(300), default_limit_m(3000)
    (2000.0, 6000.0)
    """
    return max(2 * float(radius_m), SURFACE_MIN_M)


@dataclass(frozen=True)
class StandardTier:
    """Parks of at least ``min_area_m2`` serve places within ``radius_m``."""

    tier_id: str
    name_zh: str
    name_en: str
    min_area_m2: float
    radius_m: float
    source: str = ""
    confidence: str = "U"
    classes: tuple[str, ...] = ()  # park classes that count when tiers go by class
    source_zh: str = ""  # the source in Chinese ("" : only ``source`` is given)

    def name(self, lang: str) -> str:
        """Return the tier's name in ``lang`` ("zh" or "en")."""
        return self.name_zh if lang == "zh" else self.name_en

    def source_text(self, lang: str) -> str:
        """Return the tier's source in ``lang`` (the file's one text where it gives one)."""
        return self.source_zh or self.source if lang == "zh" else self.source or self.source_zh


@dataclass(frozen=True)
class ParkStandard:
    """A named set of tiers with a coverage target (a share of demand, 0–1)."""

    standard_id: str
    name_zh: str
    name_en: str
    tiers: tuple[StandardTier, ...]
    target_share: float
    source: str = ""
    confidence: str = "U"
    source_zh: str = ""  # the source in Chinese ("" : only ``source`` is given)

    def name(self, lang: str) -> str:
        """Return the standard's name in ``lang`` ("zh" or "en")."""
        return self.name_zh if lang == "zh" else self.name_en

    def source_text(self, lang: str) -> str:
        """Return the standard's source in ``lang`` (the file's one text where it gives one)."""
        return self.source_zh or self.source if lang == "zh" else self.source or self.source_zh

    def tier(self, tier_id: str) -> StandardTier:
        """Return the tier ``tier_id``; raise a bilingual error for an unknown one."""
        by_id = {t.tier_id: t for t in self.tiers}
        if tier_id not in by_id:
            known = ", ".join(by_id)
            msg = (
                f"标准“{self.name_zh}”中没有层级 {tier_id!r}（现有：{known}）。 / "
                f"Standard {self.standard_id!r} has no tier {tier_id!r} (it has: {known})."
            )
            raise StandardError(msg)
        return by_id[tier_id]

    @property
    def max_radius_m(self) -> float:
        """The largest service radius of any tier."""
        return max(t.radius_m for t in self.tiers)

    def tier_index(self, tier_id: str) -> int:
        """Return the position of tier ``tier_id`` (bilingual error for an unknown one)."""
        return self.tiers.index(self.tier(tier_id))

    def smallest_tier(self) -> StandardTier:
        """Return the tier with the smallest parks (the one "any park" distances use)."""
        return min(self.tiers, key=lambda t: t.min_area_m2)

    def tier_of_area(self, area_m2: float) -> str:
        """Return the largest tier a park of ``area_m2`` qualifies for ("" for none).

        >>> s = standards_from_dict({"standards": [{"standard_id": "x", "tiers": [
        ...     {"tier_id": "s", "min_area_m2": 400, "radius_m": 300},
        ...     {"tier_id": "b", "min_area_m2": 10000, "radius_m": 500}]}]}).standard("x")
        >>> s.tier_of_area(50_000), s.tier_of_area(500), s.tier_of_area(10)
        ('b', 's', '')
        """
        best = ""
        for tier in sorted(self.tiers, key=lambda t: t.min_area_m2):
            if area_m2 >= tier.min_area_m2:
                best = tier.tier_id
        return best


def sfca_radius_m(standard: ParkStandard, tier_id: str | None) -> float:
    """Return the 2SFCA radius: the tier's service radius, or the standard's largest.

    >>> s = standards_from_dict({"standards": [{"standard_id": "x", "tiers": [
    ...     {"tier_id": "s", "min_area_m2": 400, "radius_m": 300},
    ...     {"tier_id": "b", "min_area_m2": 10000, "radius_m": 500}]}]}).standard("x")
    >>> sfca_radius_m(s, "s"), sfca_radius_m(s, None)
    (300.0, 500.0)
    """
    return standard.max_radius_m if tier_id is None else standard.tier(tier_id).radius_m


@dataclass(frozen=True)
class StandardSettings:
    """All standards plus the national targets."""

    standards: tuple[ParkStandard, ...]
    coverage_target: float
    per_capita_target_m2: float
    default_id: str = ""

    @property
    def default(self) -> ParkStandard:
        """The standard pages open with (``default_standard`` in the file, else the first)."""
        return self.standard(self.default_id) if self.default_id else self.standards[0]

    @property
    def search_limit_m(self) -> float:
        """The largest search limit of any tier of any standard (what prepared parks serve)."""
        return max(default_limit_m(t.radius_m) for s in self.standards for t in s.tiers)

    def standard(self, standard_id: str) -> ParkStandard:
        """Return the standard ``standard_id``; raise a bilingual error for an unknown one."""
        by_id = {s.standard_id: s for s in self.standards}
        if standard_id not in by_id:
            known = ", ".join(by_id)
            msg = (
                f"未知的标准 {standard_id!r}（现有：{known}）。 / "
                f"Unknown standard {standard_id!r} (known: {known})."
            )
            raise StandardError(msg)
        return by_id[standard_id]


def _positive(value: Any, what_zh: str, what_en: str, *, allow_zero: bool = False) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    ok = math.isfinite(number) and (number >= 0 if allow_zero else number > 0)
    if not ok:
        sign_zh, sign_en = ("非负数", "zero or more") if allow_zero else ("正数", "positive")
        msg = (
            f"{what_zh}必须为{sign_zh}，收到 {value!r}。 / {what_en} must be {sign_en}: {value!r}."
        )
        raise StandardError(msg)
    return number


def _share(value: Any, what: str) -> float:
    share = _positive(value, f"{what} 目标", f"The target of {what}")
    if share > 1:
        msg = (
            f"{what} 的目标应为 0–1 之间的比例，收到 {value!r}。 / "
            f"The target of {what} must be a share between 0 and 1, got {value!r}."
        )
        raise StandardError(msg)
    return share


def _tier(raw: dict[str, Any], standard_id: str) -> StandardTier:
    tier_id = str(raw.get("tier_id") or "")
    if not tier_id:
        msg = f"标准 {standard_id} 有层级缺少 tier_id。 / A tier of {standard_id} has no tier_id."
        raise StandardError(msg)
    where = f"{standard_id}/{tier_id}"
    return StandardTier(
        tier_id=tier_id,
        name_zh=str(raw.get("name_zh") or tier_id),
        name_en=str(raw.get("name_en") or tier_id),
        min_area_m2=_positive(
            raw.get("min_area_m2"),
            f"{where} 的最小面积",
            f"min_area_m2 of {where}",
            allow_zero=True,
        ),
        radius_m=_positive(raw.get("radius_m"), f"{where} 的服务半径", f"radius_m of {where}"),
        source=str(raw.get("source") or ""),
        confidence=str(raw.get("confidence") or "U"),
        classes=_classes(raw.get("classes"), where),
        source_zh=str(raw.get("source_zh") or ""),
    )


PARK_CLASS_IDS = ("comprehensive", "community", "garden", "specialised")


def _classes(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    values = tuple(str(v) for v in raw) if isinstance(raw, list) else None
    if values is None or not set(values) <= set(PARK_CLASS_IDS):
        msg = (
            f"{where} 的 classes 必须是公园类型列表（{', '.join(PARK_CLASS_IDS)}），"
            f"收到 {raw!r}。 / "
            f"classes of {where} must be a list of park classes ({', '.join(PARK_CLASS_IDS)}), "
            f"got {raw!r}."
        )
        raise StandardError(msg)
    return values


TierBasis = Literal["area", "class"]


def qualifies(
    tier: StandardTier,
    area_m2: NDArray[np.float64],
    park_class: NDArray[np.object_] | None = None,
    *,
    basis: TierBasis = "area",
) -> NDArray[np.bool_]:
    """Which parks count for ``tier``: by size, or by their 公园名录 class.

    By area: ``area_m2 >= min_area_m2``. By class: the park's class is one the tier
    lists (a larger class serves a smaller tier's purpose, as the settings say);
    a park without a class, or a tier that lists none, still goes by area.

    >>> s = standards_from_dict({"standards": [{"standard_id": "x", "tiers": [
    ...     {"tier_id": "p", "min_area_m2": 10000, "radius_m": 500,
    ...      "classes": ["community", "comprehensive"]}]}]}).standard("x")
    >>> area = np.array([50_000.0, 2_000.0, 2_000.0, 20_000.0])
    >>> kind = np.array(["garden", "community", "", ""], dtype=object)
    >>> qualifies(s.tiers[0], area, kind).tolist()
    [True, False, False, True]
    >>> qualifies(s.tiers[0], area, kind, basis="class").tolist()
    [False, True, False, True]
    """
    by_area = np.asarray(area_m2, dtype=float) >= tier.min_area_m2
    if basis == "area" or park_class is None or not tier.classes:
        return by_area
    kinds = np.asarray(park_class, dtype=object)
    known = np.array([isinstance(k, str) and k != "" for k in kinds], dtype=bool)
    by_class = np.isin(kinds.astype(str), list(tier.classes))
    return np.where(known, by_class, by_area)


def tiers_of(
    standard: ParkStandard,
    area_m2: NDArray[np.float64],
    park_class: NDArray[np.object_] | None = None,
    *,
    basis: TierBasis = "area",
) -> NDArray[np.object_]:
    """Return each park's tier in ``standard``: the highest it counts for ("" for none).

    The one rule for a park's tier, used by the figures, the tables and the map's
    tooltips alike. Tiers are ranked by their minimum area; a park counts for a
    tier as :func:`qualifies` says (by class when ``basis="class"`` and it has one).

    >>> s = standards_from_dict({"standards": [{"standard_id": "x", "tiers": [
    ...     {"tier_id": "green", "min_area_m2": 400, "radius_m": 300,
    ...      "classes": ["garden", "community", "comprehensive"]},
    ...     {"tier_id": "park", "min_area_m2": 10000, "radius_m": 500,
    ...      "classes": ["community", "comprehensive"]}]}]}).standard("x")
    >>> area = np.array([5_000.0, 5_000.0, 100.0])
    >>> kind = np.array(["community", "", "garden"], dtype=object)
    >>> tiers_of(s, area, kind, basis="class").tolist()
    ['park', 'green', 'green']
    >>> tiers_of(s, area, kind).tolist()
    ['green', 'green', '']
    """
    out = np.full(len(area_m2), "", dtype=object)
    for tier in sorted(standard.tiers, key=lambda t: t.min_area_m2):
        out[qualifies(tier, area_m2, park_class, basis=basis)] = tier.tier_id
    return out


def tier_of(
    standard: ParkStandard, area_m2: float, park_class: str = "", *, basis: TierBasis = "area"
) -> str:
    """Return one park's tier in ``standard`` (:func:`tiers_of`'s rule; "" for none)."""
    kinds = np.array([park_class or ""], dtype=object)
    return str(tiers_of(standard, np.array([float(area_m2)]), kinds, basis=basis)[0])


def standards_from_dict(raw: dict[str, Any]) -> StandardSettings:
    """Validate settings read from JSON; every error names the field, in both languages.

    Examples
    --------
    >>> s = standards_from_dict({"standards": [{"standard_id": "x", "tiers": [
    ...     {"tier_id": "p", "min_area_m2": 5000, "radius_m": 500}]}]})
    >>> s.standard("x").tier("p").radius_m, s.coverage_target
    (500.0, 0.8)
    >>> standards_from_dict({"standards": [{"standard_id": "x", "tiers": [
    ...     {"tier_id": "p", "min_area_m2": 5000, "radius_m": -5}]}]})
    Traceback (most recent call last):
    ...
    geo.errors.StandardError: x/p 的服务半径必须为正数，收到 -5。 / radius_m of x/p ...
    """
    items = raw.get("standards")
    if not isinstance(items, list) or not items:
        msg = "设置中没有任何标准。 / The settings hold no standards."
        raise StandardError(msg)
    standards = []
    for item in items:
        standard_id = str(item.get("standard_id") or "")
        if not standard_id:
            msg = "有标准缺少 standard_id。 / A standard has no standard_id."
            raise StandardError(msg)
        tiers = tuple(_tier(t, standard_id) for t in item.get("tiers") or [])
        if not tiers:
            msg = f"标准 {standard_id} 没有层级。 / Standard {standard_id} has no tiers."
            raise StandardError(msg)
        ids = [t.tier_id for t in tiers]
        if len(set(ids)) != len(ids):
            msg = f"标准 {standard_id} 的层级重复。 / Standard {standard_id} repeats a tier id."
            raise StandardError(msg)
        standards.append(
            ParkStandard(
                standard_id=standard_id,
                name_zh=str(item.get("name_zh") or standard_id),
                name_en=str(item.get("name_en") or standard_id),
                tiers=tiers,
                target_share=_share(item.get("target_share", 0.8), standard_id),
                source=str(item.get("source") or ""),
                confidence=str(item.get("confidence") or "U"),
                source_zh=str(item.get("source_zh") or ""),
            )
        )
    ids = [s.standard_id for s in standards]
    if len(set(ids)) != len(ids):
        msg = "标准编号重复。 / Two standards share a standard_id."
        raise StandardError(msg)
    targets = raw.get("targets") or {}
    coverage = (targets.get("coverage_share") or {}).get("value", 0.8)
    per_capita = (targets.get("per_capita_m2") or {}).get("value", 8.0)
    default_id = str(raw.get("default_standard") or "")
    if default_id and default_id not in ids:
        msg = (
            f"默认标准 {default_id!r} 不在标准列表中（现有：{', '.join(ids)}）。 / "
            f"The default standard {default_id!r} is not one of {', '.join(ids)}."
        )
        raise StandardError(msg)
    return StandardSettings(
        standards=tuple(standards),
        coverage_target=_share(coverage, "coverage_share"),
        per_capita_target_m2=_positive(per_capita, "人均公园绿地面积目标", "per_capita_m2"),
        default_id=default_id,
    )
