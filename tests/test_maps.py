"""The folium builders, rendered to HTML: markers, layers, escaping, and no CDN links."""

from __future__ import annotations

import json
import re

import folium
import pytest
from folium.plugins import FastMarkerCluster, HeatMap, MarkerCluster

from dashboard import maps
from dashboard.models import Place, PlaceSummary

HOSTILE = "<img src=x onerror=alert(1)>"

BEIJING = Place("gn:1816670", "Beijing", "city", 39.9075, 116.39723, 1816670, "CN")
SAMARKAND = Place("gn:601294", "Samarkand", "city", 39.65417, 66.95972, 601294, "UZ")
KAZAKHSTAN = Place("gn:1522867", "Kazakhstan", "country", 48.0, 68.0, 1522867, "KZ")
XINJIANG = Place("gn:1529047", "Xinjiang", "admin1", 42.0, 83.1, 1529047, "CN")

SQUARE = {"type": "Polygon", "coordinates": [[[60.0, 40.0], [80.0, 40.0], [80.0, 50.0], [60.0, 50.0], [60.0, 40.0]]]}
POLYGONS = {
    "KZ": SQUARE,
    "CN": {"type": "MultiPolygon", "coordinates": [[[[80.0, 20.0], [120.0, 20.0], [120.0, 45.0], [80.0, 20.0]]]]},
    "UZ": {"type": "Polygon", "coordinates": [[[56.0, 37.0], [73.0, 37.0], [73.0, 45.0], [56.0, 37.0]]]},
    "FR": {"type": "Polygon", "coordinates": [[[-4.0, 43.0], [7.0, 43.0], [7.0, 51.0], [-4.0, 43.0]]]},
}
CDN = re.compile(r"https?://(?!127\.0\.0\.1)[^\s\"'<>)]+")


@pytest.fixture(autouse=True)
def _local_assets() -> None:
    maps.use_local_assets("/app/static/vendor")


def summaries() -> list[PlaceSummary]:
    return [
        PlaceSummary(BEIJING, 3, 4, ("Peking", "PEKING", "Beijing"), (HOSTILE, "Xi reist"), 0.93, ("Beijing (US)",)),
        PlaceSummary(SAMARKAND, 2, 2, ("Samarkand",), ("Gipfel in Samarkand",), 0.81),
        PlaceSummary(KAZAKHSTAN, 5, 7, ("Kasachstan",), ("Xi reist",), 0.99),
        PlaceSummary(XINJIANG, 1, 1, ("Xinjiang",), ("Lage in Xinjiang",), 0.7, ("Xinjiang (region)",)),
    ]


def marker_rows(page: str) -> list[list[object]]:
    """The JSON array FastMarkerCluster builds its markers from."""
    match = re.search(r"var data = (\[.*?\]);\n", page, re.S)
    assert match, "no marker data in the page"
    return json.loads(match.group(1))


def test_markers_carry_names_counts_and_sizes() -> None:
    page = maps.render_html(maps.build_map(summaries(), {"KZ": 5, "CN": 3}, POLYGONS))
    rows = marker_rows(page)
    by_name = {re.search(r"<b>(.*?)</b>", str(r[4])).group(1): r for r in rows}
    assert set(by_name) == {"Beijing", "Samarkand", "Kazakhstan", "Xinjiang"}
    assert by_name["Kazakhstan"][3] == 5 and by_name["Xinjiang"][3] == 1
    assert by_name["Kazakhstan"][2] > by_name["Beijing"][2] > by_name["Xinjiang"][2]  # radius
    assert "3 articles" in str(by_name["Beijing"][4])
    assert maps.place_id_from_tooltip(str(by_name["Beijing"][4])) == "gn:1816670"
    popup = str(by_name["Beijing"][5])
    for piece in ("Peking", "city", "CN", "3 articles", "4 mentions", "0.93", "Beijing (US)", "Xi reist"):
        assert piece in popup


def test_hostile_headline_is_escaped() -> None:
    page = maps.render_html(maps.build_map(summaries(), {}, POLYGONS))
    assert HOSTILE not in page
    assert "<img" not in page
    popup = str(next(r for r in marker_rows(page) if "Beijing" in str(r[4]))[5])
    assert "&lt;img src=x onerror=alert(1)&gt;" in popup


def test_hostile_place_and_surface_are_escaped() -> None:
    evil = Place('x:"><script>', "<script>alert(3)</script>", "city", 1.0, 2.0, None, "ZZ")
    s = PlaceSummary(evil, 1, 1, ("<b onmouseover=alert(4)>",), (), 0.5, ("<svg onload=alert(5)>",))
    page = maps.render_html(maps.build_map([s], {}, {}))
    assert "<script>alert(3)" not in page and "<b onmouseover" not in page and "<svg onload" not in page
    row = marker_rows(page)[0]
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in row[4]
    assert "&lt;svg onload=alert(5)&gt;" in row[5]


def test_no_cdn_urls_in_the_page() -> None:
    m = maps.build_map(summaries(), {"KZ": 5, "CN": 3}, POLYGONS)
    page = maps.render_html(m)
    assert CDN.findall(page) == []
    assert maps.external_asset_urls(m) == []
    for src in ("/app/static/vendor/leaflet/leaflet.js", "/app/static/vendor/markercluster/leaflet.markercluster.js",
                "/app/static/vendor/heat/leaflet_heat.min.js", "/app/static/vendor/jquery/jquery.min.js"):
        assert src in page


def test_vendored_files_exist_and_are_small() -> None:
    urls = maps.local_asset_urls("")
    files = [u for group in urls.values() for _, u in group]
    for url in files:
        assert (maps.VENDOR_DIR / url.lstrip("/")).is_file(), url
    total = sum(p.stat().st_size for p in maps.VENDOR_DIR.rglob("*") if p.is_file())
    assert total < 1_000_000
    assert all((maps.VENDOR_DIR / d / "LICENSE").is_file() for d in ("leaflet", "markercluster", "heat", "jquery"))


def test_configured_tiles_are_the_only_external_url() -> None:
    tiles = "https://tiles.example.org/{z}/{x}/{y}.png"
    page = maps.render_html(maps.build_map(summaries(), {}, POLYGONS, tiles=tiles, attribution="© Example"))
    assert {u for u in CDN.findall(page)} == {tiles}
    assert "Example" in page


def test_tiles_need_attribution() -> None:
    with pytest.raises(ValueError, match="attribution"):
        maps.build_map([], {}, {}, tiles="https://t/{z}/{x}/{y}.png")


def test_layers_present() -> None:
    m = maps.build_map(summaries(), {"KZ": 5, "CN": 3}, POLYGONS)
    page = maps.render_html(m)
    kinds = [type(e) for e in _walk(m)]
    assert FastMarkerCluster in kinds and HeatMap in kinds
    assert sum(1 for e in _walk(m) if isinstance(e, folium.GeoJson)) == 2  # basemap + shading
    assert "L.control.layers" in page
    for name in ("Places", "Heatmap", "Countries"):
        assert f'"{name}"' in page
    assert '"maxZoom": 12' in page  # no tiles: markercluster needs it on the map


def test_single_layer_and_unknown_layer() -> None:
    m = maps.build_map(summaries(), {"KZ": 5}, POLYGONS, layers=("heatmap",))
    kinds = {type(e) for e in _walk(m)}
    assert HeatMap in kinds and FastMarkerCluster not in kinds and MarkerCluster not in kinds
    assert "L.control.layers" not in maps.render_html(m)
    with pytest.raises(ValueError, match="unknown map layer"):
        maps.build_map([], layers=("pins",))


def test_country_shading_uses_counts_and_polygons() -> None:
    m = maps.build_map([], {"KZ": 5, "CN": 1, "XX": 9}, POLYGONS, layers=("countries",),
                       country_names={"KZ": "Kazakhstan <KZ>"})
    shading = [e for e in _walk(m) if isinstance(e, folium.GeoJson) and e.layer_name == "Countries"]
    assert len(shading) == 1
    feats = {f["id"]: f["properties"] for f in shading[0].data["features"]}
    assert set(feats) == {"KZ", "CN"}  # XX has no polygon, FR no articles
    assert feats["KZ"]["articles"] == 5 and feats["KZ"]["fill"] != feats["CN"]["fill"]
    assert "Kazakhstan &lt;KZ&gt;" in feats["KZ"]["label"]
    assert "d3.min.js" not in maps.render_html(m) and "d3.v4" not in maps.render_html(m)


def test_offline_basemap_draws_every_polygon() -> None:
    m = maps.build_map([], {}, POLYGONS, layers=("markers",))
    base = [e for e in _walk(m) if isinstance(e, folium.GeoJson) and e.layer_name == "Basemap"]
    assert len(base) == 1 and len(base[0].data["features"]) == len(POLYGONS)
    assert not any(isinstance(e, folium.TileLayer) for e in _walk(m))


def test_marker_cap_keeps_the_biggest() -> None:
    many = [
        PlaceSummary(Place(f"p:{i}", f"P{i}", "city", float(i % 80), float(i % 170), None, "KZ"), i + 1, i + 1)
        for i in range(50)
    ]
    rows = marker_rows(maps.render_html(maps.build_map(many, layers=("markers",), max_markers=10)))
    assert sorted(r[3] for r in rows) == list(range(41, 51))


def test_view_and_empty_map() -> None:
    page = maps.render_html(maps.build_map([], center=(41.0, 70.0), zoom=5))
    assert "[41.0, 70.0]" in page and '"zoom": 5' in page


def test_geojson_export() -> None:
    data = json.loads(maps.geojson_points(summaries()))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == 4
    assert data["features"][0]["geometry"]["coordinates"] == [116.39723, 39.9075]


def test_helpers() -> None:
    assert maps.place_id_from_tooltip(None) is None
    assert maps.place_id_from_tooltip("Beijing, CN · 3 articles[[place:gn:1]]") == "gn:1"
    assert maps.shade(0, 10) == maps.shade(0, 0)
    assert maps.shade(10, 10) != maps.shade(1, 10)
    assert maps.marker_radius(10, 10) > maps.marker_radius(1, 10) >= 5


def _walk(elem: object):
    yield elem
    for child in getattr(elem, "_children", {}).values():
        yield from _walk(child)


def test_colour_by_topic_with_legend() -> None:
    topic_of = {BEIJING.id: "politics", KAZAKHSTAN.id: "economy", SAMARKAND.id: "politics", XINJIANG.id: HOSTILE}
    page = maps.render_html(maps.build_map(summaries(), layers=("markers",), topic_of=topic_of,
                                           topics=("politics", "economy")))
    colour = {re.search(r"<b>(.*?)</b>", str(r[4])).group(1): r[6] for r in marker_rows(page)}
    assert colour["Beijing"] == colour["Samarkand"] == maps.TOPIC_PALETTE[0]
    assert colour["Kazakhstan"] == maps.TOPIC_PALETTE[1]
    assert colour["Xinjiang"] == maps.OTHER_COLOUR  # a topic outside the coloured ones
    assert "Main topic" in page and "politics" in page and "other or none" in page
    assert HOSTILE not in page


def test_markers_keep_one_colour_without_topics() -> None:
    page = maps.render_html(maps.build_map(summaries(), layers=("markers",)))
    assert all(len(r) == 6 for r in marker_rows(page))
    assert "Main topic" not in page


def test_country_legend_matches_the_shading() -> None:
    counts = {"KZ": 5, "CN": 300, "UZ": 1}
    page = maps.render_html(maps.build_map(summaries(), counts, POLYGONS, layers=("countries",)))
    assert "Articles per country" in page
    classes = maps.shade_classes(300)
    assert classes[-1] == (maps.shade(300, 300), f"{classes[-1][1].split('–')[0]}–300")
    for colour, label in classes:
        low = int(label.split("–")[0].replace(",", ""))
        assert maps.shade(low, 300) == colour
    assert maps.shade_classes(0) == []
    assert "Articles per country" not in maps.render_html(maps.build_map(summaries(), {}, POLYGONS,
                                                                         layers=("countries",)))


def test_a_grid_draws_one_escaped_circle_per_cell_instead_of_the_markers() -> None:
    from dashboard.models import GridCell

    cells = [GridCell(41.0, 70.0, 12, 3, HOSTILE), GridCell(40.0, 116.0, 4, 1, "Beijing")]
    m = maps.build_map([PlaceSummary(BEIJING, 4, 5)], layers=("markers",), grid=cells)
    page = maps.render_html(m)
    circles = [c for c in m._children.values() if isinstance(c, folium.FeatureGroup)
               for c in c._children.values() if isinstance(c, folium.CircleMarker)]
    assert len(circles) == 2
    assert not any(isinstance(c, FastMarkerCluster) for g in m._children.values() for c in g._children.values())
    assert HOSTILE not in page and "and 2 other places · 12 articles" in page
    assert "<b>Beijing</b> · 4 articles · zoom in for places" in page
