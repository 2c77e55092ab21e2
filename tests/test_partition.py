"""The area-constrained power diagram on hand-built cases with known answers."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geo.errors import BoundaryDataError
from geo.partition import partition_by_seats, power_diagram_cells

SQUARE = shapely.box(0, 0, 1000, 1000)


def test_equal_weights_split_a_square_in_halves():
    cells = power_diagram_cells(np.array([[250.0, 500.0], [750.0, 500.0]]), np.zeros(2), SQUARE)
    assert [round(c.area) for c in cells] == [500_000, 500_000]


def test_weights_move_the_bisector_by_dw_over_2d():
    # d = 500 m, dw = 100_000 m^2 -> the bisector moves 100 m towards the lighter site.
    cells = power_diagram_cells(
        np.array([[250.0, 500.0], [750.0, 500.0]]), np.array([100_000.0, 0.0]), SQUARE
    )
    assert cells[0].area == pytest.approx(600_000, rel=1e-9)


def test_partition_matches_cited_areas_and_tiles_the_domain():
    sites = np.array([[200.0, 200.0], [800.0, 300.0], [500.0, 800.0]])
    cited = np.array([200_000.0, 300_000.0, 500_000.0])
    result = partition_by_seats(sites, SQUARE, cited_area_m2=cited, tolerance=0.001)
    areas = np.array([c.area for c in result.cells])
    np.testing.assert_allclose(areas, cited, rtol=0.002)
    union = shapely.union_all(result.cells)
    assert union.symmetric_difference(SQUARE).area < 1e-6 * SQUARE.area
    overlap = sum(c.area for c in result.cells) - union.area
    assert overlap < 1e-6 * SQUARE.area


def test_uncited_units_share_the_rest_by_voronoi_area():
    sites = np.array([[250.0, 500.0], [750.0, 250.0], [750.0, 750.0]])
    cited = np.array([600_000.0, np.nan, np.nan])
    result = partition_by_seats(sites, SQUARE, cited_area_m2=cited, tolerance=0.001)
    np.testing.assert_allclose(result.target_area_m2, [600_000, 200_000, 200_000])


def test_cited_areas_larger_than_the_domain_raise():
    sites = np.array([[250.0, 500.0], [750.0, 500.0]])
    with pytest.raises(BoundaryDataError, match="more than the outline"):
        partition_by_seats(sites, SQUARE, cited_area_m2=np.array([2e6, np.nan]))


def test_duplicate_sites_raise():
    with pytest.raises(BoundaryDataError, match="share the coordinates"):
        power_diagram_cells(np.array([[1.0, 1.0], [1.0, 1.0]]), np.zeros(2), SQUARE)


def test_a_single_site_is_refused():
    with pytest.raises(BoundaryDataError, match="at least two"):
        partition_by_seats(np.array([[1.0, 1.0]]), SQUARE)
