"""Every CRS the upload panel offers, on every kind of file where a CRS is chosen.

A planner's file without a declared CRS is read in the CRS chosen from the
panel's list (the readers' ranked candidates). The right one is accepted; a
wrong one is answered with the location check's message, in both languages,
naming the CRS that fits, and never with a traceback: on the parks page
(``AppTest``, one session per file trying every choice) and from the command
line (``python -m geo.layers add``).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import openpyxl
import pyproj
import pytest
import shapely
from streamlit.testing.v1 import AppTest

from geo.crs import metric_crs_for, wgs84_to_gcj02
from geo.errors import CRSError
from geo.files.reading import ReadOptions, inspect_file, read_layer
from geo.files.schema import apply_mapping, guess_mapping
from geo.store.cli import main
from ui import state

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "ui/page_parks.py"
# Three parks of a 公园名录 in Kunshan (WGS84 centres) and their areas in m².
PARKS = {
    "亭林园": (120.9512, 31.3926),
    "森林公园": (120.9253, 31.4316),
    "东塘公园": (120.98, 31.385),
}
AREAS_M2 = [570_000.0, 1_200_000.0, 150_000.0]
# Longitude/latitude read in any of these lands in Kunshan: they differ by less than a kilometre.
LONLAT = frozenset({"wgs84", "cgcs2000", "gcj02", "bd09"})


@dataclass(frozen=True)
class Sample:
    """A planner's file: bytes, name, the CRS its coordinates are in, the choices that fit."""

    name: str
    content: bytes
    mime: str
    crs: str  # the choice that names the coordinates' CRS
    right: frozenset[str]

    @property
    def best_fix(self) -> str:
        """The choice the location check names first (WGS84 for any longitude/latitude)."""
        return "wgs84" if self.crs in LONLAT else self.crs


def _xy(epsg: int | str, lon: float, lat: float) -> tuple[float, float]:
    if epsg == "gcj02":
        x, y = wgs84_to_gcj02(lon, lat)
        return float(x), float(y)
    return pyproj.Transformer.from_crs(4326, epsg, always_xy=True).transform(lon, lat)


def _squares(epsg: int) -> gpd.GeoDataFrame:
    """The parks as ~200 m squares in ``epsg``, named and classed in Chinese."""
    rows = []
    for (name, (lon, lat)), area in zip(PARKS.items(), AREAS_M2, strict=True):
        x, y = _xy(epsg, lon, lat)
        rows.append(
            {
                "名称": name,
                "类型": "综合公园",
                "面积": area,
                "geometry": shapely.box(x, y, x + 200, y + 200),
            }
        )
    return gpd.GeoDataFrame(rows)


def _shapefile_zip(tmp: Path, epsg: int) -> bytes:
    """A zipped GBK Shapefile without .prj or .cpg, in a folder, as planners send them."""
    folder = tmp / f"shp{epsg}"
    folder.mkdir()
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        _squares(epsg).to_file(folder / "公园.shp", encoding="GBK")
    (folder / "公园.cpg").unlink(missing_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for part in sorted(folder.iterdir()):
            zf.write(part, f"公园名录/{part.name}")
    return buffer.getvalue()


def _table(crs: int | str, x: str, y: str) -> list[list[object]]:
    rows: list[list[object]] = [["名称", "面积", x, y]]
    for (name, (lon, lat)), area in zip(PARKS.items(), AREAS_M2, strict=True):
        rows.append([name, area, *_xy(crs, lon, lat)])
    return rows


def _csv(rows: list[list[object]]) -> bytes:
    return "\n".join(",".join(str(v) for v in row) for row in rows).encode("gb18030") + b"\n"


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "公园"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _wkt_csv(crs: str) -> bytes:
    lines = ["名称,面积,wkt"]
    for (name, (lon, lat)), area in zip(PARKS.items(), AREAS_M2, strict=True):
        x, y = _xy(crs, lon, lat)
        square = shapely.box(x, y, x + 0.002, y + 0.002)
        lines.append(f'{name},{area},"{square.wkt}"')
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict[str, Sample]:
    tmp = tmp_path_factory.mktemp("samples")
    zipped = "application/zip"
    return {
        "shapefile_gk40": Sample(
            "公园_gk40.zip",
            _shapefile_zip(tmp, 4528),
            zipped,
            "cgcs2000_gk40",
            frozenset({"cgcs2000_gk40"}),
        ),
        "shapefile_gk120": Sample(
            "公园_gk120.zip",
            _shapefile_zip(tmp, 4549),
            zipped,
            "cgcs2000_gk120",
            frozenset({"cgcs2000_gk120"}),
        ),
        "csv_xy_gk120": Sample(
            "公园_xy.csv",
            _csv(_table(4549, "x", "y")),
            "text/csv",
            "cgcs2000_gk120",
            frozenset({"cgcs2000_gk120"}),
        ),
        "csv_lonlat": Sample(
            "公园_经纬度.csv", _csv(_table(4326, "经度", "纬度")), "text/csv", "wgs84", LONLAT
        ),
        "xlsx_gk40": Sample(
            "公园.xlsx",
            _xlsx(_table(4528, "x", "y")),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "cgcs2000_gk40",
            frozenset({"cgcs2000_gk40"}),
        ),
        "csv_wkt_gcj02": Sample("公园_高德.csv", _wkt_csv("gcj02"), "text/csv", "gcj02", LONLAT),
    }


SAMPLES = [
    "shapefile_gk40",
    "shapefile_gk120",
    "csv_xy_gk120",
    "csv_lonlat",
    "xlsx_gk40",
    "csv_wkt_gcj02",
]


def _offered(sample: Sample) -> list[str]:
    """The CRS choices the upload panel offers for the file (the readers' ranked candidates)."""
    info = inspect_file(sample.content, sample.name)
    assert info.declared_crs is None  # a CRS is chosen for this file
    return [c.crs for c in info.crs_candidates]


def _assert_answered(text: str, sample: Sample, lang: str = "both") -> None:
    """The location check's answer: the CRS that fits, no traceback.

    The command line answers in both languages; the page in the planner's (Chinese).
    """
    if lang in {"both", "zh"}:
        assert f"请选择坐标系 {sample.best_fix}" in text, text
    if lang in {"both", "en"}:
        assert f"choose crs='{sample.best_fix}'" in text, text
    if lang == "zh":
        assert "choose crs" not in text, text  # one language at a time on a page
    assert "Traceback" not in text


@pytest.mark.parametrize("name", SAMPLES)
def test_every_offered_crs_is_accepted_or_answered_on_the_parks_page(name, samples, env):
    sample = samples[name]
    offered = _offered(sample)
    assert len(offered) >= 6
    assert offered[0] in sample.right  # the best guess comes first
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(PAGE).run()
    at.file_uploader(key=state.upload_key("parks", "file")).set_value(
        (sample.name, sample.content, sample.mime)
    ).run()
    choice = at.selectbox(key=state.upload_key("parks", "crs"))
    assert len(choice.options) == len(offered)
    accepted = []
    for crs in offered:
        at.selectbox(key=state.upload_key("parks", "crs")).set_value(crs).run()
        assert not at.exception, (crs, at.exception)
        buttons = [b.key for b in at.button]
        if crs in sample.right:
            assert not at.error, (crs, at.error[0].value)
            preview = "\n".join(m.value for m in at.markdown)
            assert f"预览：{sample.name} 中 3 个要素" in preview, crs
            assert state.upload_key("parks", "accept") in buttons
            accepted.append(crs)
        else:
            assert at.error, crs
            _assert_answered(at.error[0].value, sample, lang="zh")
            assert state.upload_key("parks", "accept") not in buttons  # nothing to accept
            assert state.upload_key("parks", "map_name") not in [s.key for s in at.selectbox]
    assert set(accepted) == sample.right & set(offered)


@pytest.fixture
def store(monkeypatch, tmp_path):
    monkeypatch.setenv("KUNSHAN_DATA_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("KUNSHAN_OSM_CACHE", str(tmp_path / "none.gpkg"))
    return tmp_path / "store"


@pytest.mark.parametrize("name", SAMPLES)
def test_every_offered_crs_is_accepted_or_answered_on_the_command_line(
    name, samples, store, tmp_path, capsys
):
    sample = samples[name]
    path = tmp_path / sample.name
    path.write_bytes(sample.content)
    for crs in _offered(sample):
        code = main(["add", "parks", str(path), "--crs", crs])
        out, err = capsys.readouterr()
        if crs in sample.right:
            assert (code, err) == (0, ""), (crs, err)
            assert "parks: 3 features" in out
        else:
            assert code == 2, crs
            assert len(err.strip().splitlines()) == 1, err
            assert err.startswith("error: ")
            _assert_answered(err, sample)


@pytest.mark.parametrize("crs", ["wgs84", "cgcs2000"])
def test_forcing_a_misplaced_layer_in_is_answered_too(crs, samples, store, tmp_path, capsys):
    # Zone-prefixed Gauss-Kruger numbers read as longitude/latitude: measuring the parks'
    # areas once failed inside geopandas ("Unable to determine UTM CRS").
    sample = samples["shapefile_gk40"]
    path = tmp_path / sample.name
    path.write_bytes(sample.content)
    assert main(["add", "parks", str(path), "--crs", crs, "--force"]) == 2
    err = capsys.readouterr().err
    assert "不是有效的经纬度" in err
    assert "not valid longitude/latitude" in err
    _assert_answered(err, sample)


def test_metric_work_on_coordinates_that_cannot_be_where_their_crs_says_names_the_fit(samples):
    sample = samples["shapefile_gk40"]
    read = read_layer(sample.content, sample.name, options=ReadOptions(crs="wgs84"))
    assert not read.location.in_kunshan
    assert read.location.elsewhere
    with pytest.raises(CRSError) as raised:
        apply_mapping(
            read.gdf, "parks", guess_mapping("parks", list(read.gdf.columns)), id_prefix="t"
        )
    assert str(raised.value) == read.location.message  # the location check's own words
    # The same numbers declared in the CRS without the zone prefix are beyond its area.
    projected = gpd.GeoDataFrame(geometry=read.gdf.geometry.to_numpy(), crs=4549)
    with pytest.raises(CRSError, match=r"请选择坐标系 cgcs2000_gk40.*choose crs='cgcs2000_gk40'"):
        metric_crs_for(projected)
    in_place = read_layer(sample.content, sample.name, options=ReadOptions(crs="cgcs2000_gk40")).gdf
    assert metric_crs_for(in_place) == "EPSG:4549"
