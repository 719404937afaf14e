"""Pure folium builders: place summaries and country counts in, a :class:`folium.Map` out.

Nothing here imports Streamlit or touches the store, so every map can be
rendered to HTML in a test.  Two rules shape the module:

* **Offline.**  folium points Leaflet and its plugins at public CDNs, and the
  map never renders without internet.  :func:`use_local_assets` swaps those
  URLs, once per process, for copies the product serves itself
  (``dashboard/app/static/vendor``).  The default basemap is drawn from the
  place index's country polygons, so no tile server is contacted either.
* **Article text is hostile.**  Headlines and surface forms come from
  arbitrary web pages; every piece that reaches a tooltip or popup goes through
  :func:`html.escape`, and the JSON that carries it into the page escapes ``<``.
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import branca.element
import folium
from folium.plugins import FastMarkerCluster, HeatMap, MarkerCluster
from folium.template import Template

from dashboard.models import GridCell, PlaceSummary

logger = logging.getLogger(__name__)

VENDOR_DIR = Path(__file__).resolve().parent / "app" / "static" / "vendor"
"""Where the vendored Leaflet, markercluster, leaflet.heat and jQuery files live."""

DEFAULT_ASSET_BASE = "/app/static/vendor"
"""URL path at which Streamlit's static serving exposes :data:`VENDOR_DIR`."""

LAYERS: tuple[str, ...] = ("markers", "heatmap", "countries")
"""Data layers a map can carry: clustered place markers, a heatmap, country shading."""

MAX_ZOOM = 12
"""Without tiles Leaflet has no maximum zoom, and markercluster refuses to start without one."""

PLACE_ID_RE = re.compile(r"\[\[place:([^\]\s]+)\]\]")
"""Finds the place id hidden in a marker tooltip (see :func:`place_id_from_tooltip`)."""

_SHADES = ("#fff5eb", "#fdd0a2", "#fdae6b", "#fd8d3c", "#e6550d", "#a63603")
_BASEMAP_FILL = "#f4f1ea"
_SEA = "#d4e6f1"
_MARKER_COLOUR = "#1f6feb"
TOPIC_PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7")
"""Marker colours for the dominant topic of a place (Tableau 10, distinguishable in print and by most
colour-blind readers); places whose topic has no colour of its own are :data:`OTHER_COLOUR`."""
OTHER_COLOUR = "#8c8c8c"


# --- offline assets ------------------------------------------------------


def local_asset_urls(base_url: str = DEFAULT_ASSET_BASE) -> dict[str, list[tuple[str, str]]]:
    """The ``default_js``/``default_css`` lists that point folium at our vendored copies.

    Parameters
    ----------
    base_url
        URL path (or absolute URL) under which ``static/vendor`` is served,
        e.g. ``/app/static/vendor`` or ``/news/app/static/vendor`` behind a
        reverse proxy with a base path.
    """
    b = base_url.rstrip("/")
    return {
        "map_js": [("leaflet", f"{b}/leaflet/leaflet.js"), ("jquery", f"{b}/jquery/jquery.min.js")],
        "map_css": [("leaflet_css", f"{b}/leaflet/leaflet.css")],
        "cluster_js": [("markerclusterjs", f"{b}/markercluster/leaflet.markercluster.js")],
        "cluster_css": [
            ("markerclustercss", f"{b}/markercluster/MarkerCluster.css"),
            ("markerclusterdefaultcss", f"{b}/markercluster/MarkerCluster.Default.css"),
        ],
        "heat_js": [("leaflet-heat.js", f"{b}/heat/leaflet_heat.min.js")],
    }


def use_local_assets(base_url: str = DEFAULT_ASSET_BASE) -> None:
    """Point folium's CDN defaults at the product's own copies of Leaflet and its plugins.

    folium keeps these lists as class attributes, so the change is process-wide:
    call it once at start-up (the Streamlit app does, with its base path).
    Bootstrap, Font Awesome and awesome-markers are dropped because no map
    built here uses them.
    """
    urls = local_asset_urls(base_url)
    folium.Map.default_js = urls["map_js"]
    folium.Map.default_css = urls["map_css"]
    for cls in (MarkerCluster, FastMarkerCluster):
        cls.default_js = urls["cluster_js"]
        cls.default_css = urls["cluster_css"]
    HeatMap.default_js = urls["heat_js"]
    logger.debug("folium assets served from %s", base_url)


def external_asset_urls(m: folium.Map) -> list[str]:
    """Every script or stylesheet URL of ``m`` that would be fetched from another host.

    Empty after :func:`use_local_assets`; the app logs a warning otherwise, so a
    new folium element that brings its own CDN link is noticed.
    """
    found: list[str] = []

    def walk(elem: Any) -> None:
        for attr in ("default_js", "default_css"):
            for _, url in getattr(elem, attr, []) or []:
                if re.match(r"(https?:)?//", url):
                    found.append(url)
        for child in getattr(elem, "_children", {}).values():
            walk(child)

    walk(m)
    return list(dict.fromkeys(found))


# --- popups and tooltips -------------------------------------------------


def _e(value: object) -> str:
    """Escape anything for HTML, quotes included."""
    return html.escape(str(value), quote=True)


def marker_tooltip(s: PlaceSummary) -> str:
    """One-line tooltip: name, country and article count, plus the hidden place id.

    The id sits in a hidden span so that streamlit-folium, which returns the
    tooltip's text when a marker is clicked, tells the app which place it was.
    """
    p = s.place
    where = f", {_e(p.country_code)}" if p.country_code and p.kind != "country" else ""
    n = s.articles
    return (
        f"<b>{_e(p.name)}</b>{where} · {n} article{'s' if n != 1 else ''}"
        f'<span style="display:none">[[place:{_e(p.id)}]]</span>'
    )


def marker_popup(s: PlaceSummary, max_headlines: int = 5) -> str:
    """Popup HTML: everything a reader needs to judge the place and its articles, escaped."""
    p = s.place
    rows = [
        f'<div class="nm-popup" style="min-width:220px;max-width:320px">'
        f'<div style="font-size:1.1em;font-weight:600">{_e(p.name)}</div>',
        f'<div style="color:#555">{_e(p.kind)}'
        + (f" · {_e(p.country_code)}" if p.country_code else "")
        + f" · {s.articles} article{'s' if s.articles != 1 else ''}, {s.mentions} mention"
        + ("s" if s.mentions != 1 else "")
        + "</div>",
    ]
    surfaces = [x for x in s.surfaces if x and x != p.name]
    if surfaces:
        rows.append(f"<div>Written as: {', '.join(_e(x) for x in surfaces[:8])}</div>")
    conf = f"<div>Confidence: {s.score:.2f}"
    if s.alternatives:
        conf += f" · other candidates: {', '.join(_e(a) for a in s.alternatives[:5])}"
    rows.append(conf + "</div>")
    if s.headlines:
        items = "".join(f"<li>{_e(h)}</li>" for h in s.headlines[:max_headlines])
        rows.append(f'<div style="margin-top:4px">Latest:</div><ul style="margin:0;padding-left:18px">{items}</ul>')
    rows.append("</div>")
    return "".join(rows)


def place_id_from_tooltip(text: str | None) -> str | None:
    """The place id hidden in a marker tooltip's text, or ``None``."""
    if not text:
        return None
    m = PLACE_ID_RE.search(text)
    return html.unescape(m.group(1)) if m else None


# --- geometry helpers ----------------------------------------------------


def _round_coords(coords: Any, ndigits: int) -> Any:
    if isinstance(coords, (int, float)):
        return round(float(coords), ndigits)
    return [_round_coords(c, ndigits) for c in coords]


def _feature(iso2: str, geometry: Mapping[str, Any], props: dict[str, Any], ndigits: int) -> dict[str, Any]:
    """A GeoJSON Feature with coordinates rounded: 2 decimals (~1 km) halves the page size."""
    geom = {"type": geometry["type"], "coordinates": _round_coords(geometry["coordinates"], ndigits)}
    return {"type": "Feature", "id": iso2, "properties": {"iso2": iso2, **props}, "geometry": geom}


def shade(count: int, max_count: int) -> str:
    """Fill colour for a country with ``count`` articles, on a log scale up to ``max_count``."""
    if count <= 0 or max_count <= 0:
        return _SHADES[0]
    frac = math.log1p(count) / math.log1p(max_count)
    return _SHADES[min(len(_SHADES) - 1, 1 + int(frac * (len(_SHADES) - 2) + 0.5))]


def marker_radius(articles: int, max_articles: int) -> float:
    """Circle radius in pixels: area grows with the article count, 5 to 22 px."""
    if max_articles <= 0:
        return 5.0
    return round(5 + 17 * math.sqrt(max(articles, 0) / max_articles), 1)


# --- layers --------------------------------------------------------------

_CALLBACK = """function (row) {
    var m = L.circleMarker(new L.LatLng(row[0], row[1]), {
        radius: row[2], color: "#ffffff", weight: 1, fillColor: row[6] || "MARKER_COLOUR", fillOpacity: 0.75
    });
    m.options.articles = row[3];
    m.bindTooltip(row[4], {sticky: false});
    m.bindPopup(row[5], {maxWidth: 340});
    return m;
}""".replace("MARKER_COLOUR", _MARKER_COLOUR)

_CLUSTER_ICON = """function (cluster) {
    var n = 0;
    cluster.getAllChildMarkers().forEach(function (m) { n += (m.options.articles || 1); });
    var size = n < 10 ? 30 : (n < 100 ? 36 : (n < 1000 ? 44 : 52));
    var cls = n < 10 ? 'small' : (n < 100 ? 'medium' : 'large');
    return L.divIcon({
        html: '<div><span>' + n + '</span></div>',
        className: 'marker-cluster marker-cluster-' + cls,
        iconSize: new L.Point(size, size)
    });
}"""


def topic_colours(topics: Iterable[str]) -> dict[str, str]:
    """Topic -> marker colour, in the order given (most frequent first); beyond the palette: none."""
    return {t: c for t, c in zip(dict.fromkeys(topics), TOPIC_PALETTE, strict=False)}


def add_marker_layer(
    m: folium.Map,
    places: Sequence[PlaceSummary],
    *,
    show: bool = True,
    colours: Mapping[str, str] | None = None,
) -> folium.FeatureGroup:
    """Clustered circle markers sized by article count; cluster badges sum the articles.

    FastMarkerCluster builds the markers in the browser from one JSON array,
    which FINDINGS measured 3 to 14 times faster than MarkerCluster; its default
    callback needs awesome-markers (a CDN), so ours draws plain circle markers.
    ``colours`` (place id -> fill colour) colours markers, e.g. by topic.
    """
    group = folium.FeatureGroup(name="Places", show=show)
    top = max((s.articles for s in places), default=0)
    data = [
        [s.place.lat, s.place.lon, marker_radius(s.articles, top), s.articles, marker_tooltip(s), marker_popup(s)]
        + ([colours.get(s.place.id, OTHER_COLOUR)] if colours is not None else [])
        for s in places
    ]
    FastMarkerCluster(
        data,
        callback=_CALLBACK,
        icon_create_function=_CLUSTER_ICON,
        name="Places",
        control=False,
        maxClusterRadius=40,
        spiderfyOnMaxZoom=True,
        showCoverageOnHover=False,
    ).add_to(group)
    group.add_to(m)
    return group


def grid_tooltip(c: GridCell) -> str:
    """A cell's tooltip: its biggest place, how many others, the summed articles."""
    others = c.places - 1
    more = f" and {others} other place{'s' if others != 1 else ''}" if others else ""
    return f"<b>{_e(c.top)}</b>{more} · {c.articles} article{'s' if c.articles != 1 else ''} · zoom in for places"


def add_grid_layer(m: folium.Map, cells: Sequence[GridCell], *, show: bool = True) -> folium.FeatureGroup:
    """One circle per grid cell, sized by its articles: a zoomed-out map with every place counted."""
    group = folium.FeatureGroup(name="Places", show=show)
    top = max((c.articles for c in cells), default=0)
    for c in cells:
        folium.CircleMarker(
            [c.lat, c.lon], radius=marker_radius(c.articles, top), weight=1, color="#1f4e79", fill=True,
            fill_color="#2b7bba", fill_opacity=0.6, tooltip=grid_tooltip(c),
        ).add_to(group)
    group.add_to(m)
    return group


def add_heat_layer(m: folium.Map, places: Sequence[PlaceSummary], *, show: bool = True) -> folium.FeatureGroup:
    """A heatmap weighted by article count (normalised so one big place does not blind the rest)."""
    group = folium.FeatureGroup(name="Heatmap", show=show)
    top = max((s.articles for s in places), default=0)
    if top:
        data = [[s.place.lat, s.place.lon, math.sqrt(s.articles / top)] for s in places]
        HeatMap(data, name="Heatmap", control=False, radius=22, blur=18, min_opacity=0.35, max_zoom=MAX_ZOOM).add_to(
            group
        )
    group.add_to(m)
    return group


def add_country_layer(
    m: folium.Map,
    counts: Mapping[str, int],
    polygons: Mapping[str, Mapping[str, Any]],
    *,
    names: Mapping[str, str] | None = None,
    show: bool = True,
    ndigits: int = 2,
) -> folium.FeatureGroup:
    """Countries shaded by how many filtered articles mention them (a choropleth without d3).

    folium's Choropleth adds a branca legend, and streamlit-folium then loads d3
    from a CDN; colouring each feature in Python avoids both.
    """
    group = folium.FeatureGroup(name="Countries", show=show)
    top = max(counts.values(), default=0)
    features = []
    for iso2, n in counts.items():
        geom = polygons.get(iso2)
        if not geom or n <= 0:
            continue
        label = f"<b>{_e((names or {}).get(iso2, iso2))}</b> · {n} article{'s' if n != 1 else ''}"
        features.append(_feature(iso2, geom, {"articles": n, "label": label, "fill": shade(n, top)}, ndigits))
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name="Countries",
            control=False,
            style_function=lambda f: {
                "fillColor": f["properties"]["fill"],
                "fillOpacity": 0.75,
                "color": "#8a6d3b",
                "weight": 0.6,
            },
            highlight_function=lambda f: {"weight": 2, "color": "#333333"},
            tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
        ).add_to(group)
    group.add_to(m)
    return group


def add_polygon_basemap(m: folium.Map, polygons: Mapping[str, Mapping[str, Any]], *, ndigits: int = 1) -> None:
    """Land drawn from the index's country polygons: the offline default basemap."""
    features = [_feature(iso2, geom, {}, ndigits) for iso2, geom in sorted(polygons.items()) if geom]
    if not features:
        return
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name="Basemap",
        control=False,
        interactive=False,
        style_function=lambda f: {"fillColor": _BASEMAP_FILL, "fillOpacity": 1, "color": "#b8b2a7", "weight": 0.5},
    ).add_to(m)


# --- the map -------------------------------------------------------------


class ResizeWatcher(folium.MacroElement):
    """Redraw the map when its container changes size, and fit it once it has a real size.

    In Streamlit the map is created inside an iframe that has no width yet, so
    Leaflet clips the vector layers and fits the bounds to a sliver; this tells
    Leaflet about the real size (``invalidateSize``) and refits the first time.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var bounds = {{ this.bounds|tojson }};
            var last = map.getSize();
            if (!window.ResizeObserver) { return; }
            new ResizeObserver(function () {
                map.invalidateSize({pan: true, animate: false});  // keep the centre
                var now = map.getSize();
                if (bounds && last.x < 300 && now.x >= 300) {
                    map.fitBounds(bounds, {padding: [30, 30], maxZoom: 6});
                }
                last = now;
            }).observe(map.getContainer());
        })();
        {% endmacro %}
        """
    )

    def __init__(self, bounds: list[list[float]] | None = None) -> None:
        super().__init__()
        self._name = "ResizeWatcher"
        self.bounds = bounds


class Legend(folium.MacroElement):
    """A small legend in a map corner (a Leaflet control): colour swatches with escaped labels.

    Drawn by Leaflet itself, so it needs neither branca's legend (which makes
    streamlit-folium load d3 from a CDN) nor any other script.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "nm-legend");
                div.style.cssText = "background:rgba(255,255,255,.9);padding:6px 8px;border-radius:4px;"
                    + "font:12px/1.5 sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3)";
                div.innerHTML = {{ this.html|tojson }};
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, title: str, items: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self._name = "Legend"
        rows = "".join(
            f'<div><span style="display:inline-block;width:12px;height:12px;margin-right:6px;'
            f'vertical-align:-2px;border-radius:2px;background:{_e(colour)}"></span>{_e(label)}</div>'
            for colour, label in items
        )
        self.title = title
        self.html = f"<b>{_e(title)}</b>{rows}"


def shade_classes(max_count: int) -> list[tuple[str, str]]:
    """(colour, "from–to articles") for each shade :func:`shade` uses up to ``max_count``."""
    if max_count <= 0:
        return []
    lows: dict[str, int] = {}
    for colour in _SHADES[1:]:
        lo, hi = 1, max_count + 1  # smallest n whose shade is at least this colour
        while lo < hi:
            mid = (lo + hi) // 2
            if _SHADES.index(shade(mid, max_count)) >= _SHADES.index(colour):
                hi = mid
            else:
                lo = mid + 1
        if lo <= max_count:
            lows[colour] = lo
    items = sorted(lows.items(), key=lambda kv: kv[1])
    out = []
    for i, (colour, lo) in enumerate(items):
        hi = items[i + 1][1] - 1 if i + 1 < len(items) else max_count
        if hi >= lo:
            out.append((colour, f"{lo:,}" if lo == hi else f"{lo:,}–{hi:,}"))
    return out


def build_map(
    places: Sequence[PlaceSummary],
    country_counts: Mapping[str, int] | Iterable[tuple[str, int]] = (),
    polygons: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    layers: Sequence[str] = LAYERS,
    shown: Sequence[str] | None = None,
    tiles: str | None = None,
    attribution: str | None = None,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    max_markers: int = 500,
    country_names: Mapping[str, str] | None = None,
    height: str | int = "100%",
    layer_control: bool = True,
    topic_of: Mapping[str, str] | None = None,
    topics: Sequence[str] = (),
    legend: bool = True,
    grid: Sequence[GridCell] | None = None,
) -> folium.Map:
    """Build the news map.

    Parameters
    ----------
    places
        Places with their article counts, as :meth:`Store.place_summaries` returns them.
        Only the ``max_markers`` with most articles are drawn, so the browser
        never receives more than it can draw quickly.
    country_counts
        Articles per ISO alpha-2 country code (a mapping or ``(code, n)`` pairs).
    polygons
        GeoJSON geometries keyed by ISO2, from the place index: they draw the
        offline basemap and the country shading.
    layers
        Which of :data:`LAYERS` to add; ``shown`` (default: all of them) says
        which start visible, the rest can be switched on in the layer control.
    tiles, attribution
        A tile URL template (``https://tiles.example.org/{z}/{x}/{y}.png``) and its
        attribution.  Without ``tiles`` the basemap is drawn from ``polygons``
        and the page contacts no tile server.
    center, zoom
        Initial view; by default the view fits the markers.
    topic_of, topics
        Colour by topic: place id -> its dominant topic, and the topics in the
        order that gets the palette's colours (most frequent first); places
        without a topic, or with a topic past the palette, are grey.
    legend
        Add legends for the marker colours and the country shading.
    grid
        Cells of a lat/lon grid (:meth:`Store.grid_cells`): drawn instead of the place
        markers, for a zoomed-out map on which more places match than ``max_markers``.

    Raises
    ------
    ValueError
        For an unknown layer name, or tiles without an attribution (tile
        providers require one, and Leaflet would show nothing).
    """
    unknown = [x for x in layers if x not in LAYERS]
    if unknown:
        raise ValueError(f"unknown map layer(s) {unknown}; choose from {list(LAYERS)}")
    if tiles and not attribution:
        raise ValueError("a tile URL needs an attribution (e.g. '© OpenStreetMap contributors')")
    shown_set = set(layers if shown is None else shown)
    polygons = polygons or {}
    counts = dict(country_counts)
    ranked = sorted(places, key=lambda s: (-s.articles, s.place.name))[:max_markers]

    m = folium.Map(
        location=list(center) if center else [30.0, 60.0],
        zoom_start=zoom if zoom is not None else 3,
        tiles=None,
        world_copy_jump=True,
        prefer_canvas=False,
        control_scale=True,
        height=height,
    )
    # folium passes max_zoom only to its tile layer; with no tiles Leaflet (and
    # markercluster) need it on the map itself.
    m.options["max_zoom"] = MAX_ZOOM if not tiles else 18
    m.options["min_zoom"] = 1
    root = cast(branca.element.Figure, m.get_root())  # a folium.Map's root is always its Figure
    root.header.add_child(
        folium.Element(f"<style>.leaflet-container{{background:{_SEA if not tiles else '#ddd'}}}</style>")
    )
    if tiles:
        folium.TileLayer(tiles=tiles, attr=attribution, name="Tiles", control=False, max_zoom=18).add_to(m)
    else:
        add_polygon_basemap(m, polygons)

    if "countries" in layers:
        add_country_layer(m, counts, polygons, names=country_names, show="countries" in shown_set)
    if "heatmap" in layers:
        add_heat_layer(m, ranked, show="heatmap" in shown_set)
    colours: dict[str, str] | None = None
    palette: dict[str, str] = {}
    if topic_of is not None:
        palette = topic_colours(topics or sorted(set(topic_of.values())))
        colours = {pid: palette.get(t, OTHER_COLOUR) for pid, t in topic_of.items()}
    if "markers" in layers and grid is not None:
        add_grid_layer(m, grid, show="markers" in shown_set)
    elif "markers" in layers:
        add_marker_layer(m, ranked, show="markers" in shown_set, colours=colours)
        if legend and colours is not None and ranked:
            Legend("Main topic", [(c, t) for t, c in palette.items()] + [(OTHER_COLOUR, "other or none")]).add_to(m)
    if legend and "countries" in layers and "countries" in shown_set:
        if any(n > 0 and cc in polygons for cc, n in counts.items()):  # same scale as add_country_layer
            Legend("Articles per country", shade_classes(max(counts.values()))).add_to(m)
    if layer_control and len(layers) > 1:
        folium.LayerControl(collapsed=False).add_to(m)

    fit: list[list[float]] | None = None
    if center is None and zoom is None and ranked:
        lats = [s.place.lat for s in ranked]
        lons = [s.place.lon for s in ranked]
        if len(ranked) > 1:
            fit = [[min(lats), min(lons)], [max(lats), max(lons)]]
            m.fit_bounds(fit, padding=(30, 30), max_zoom=6)
        else:
            m.location = [lats[0], lons[0]]
            m.options["zoom"] = 5
    ResizeWatcher(fit).add_to(m)
    return m


def render_html(m: folium.Map) -> str:
    """The map as a standalone HTML page (tests, export)."""
    return m.get_root().render()


def geojson_points(places: Sequence[PlaceSummary]) -> str:
    """The places as a GeoJSON FeatureCollection (the export button's payload)."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [s.place.lon, s.place.lat]},
            "properties": {
                "id": s.place.id,
                "name": s.place.name,
                "kind": s.place.kind,
                "country_code": s.place.country_code,
                "articles": s.articles,
                "mentions": s.mentions,
                "surfaces": list(s.surfaces),
                "score": round(s.score, 4),
            },
        }
        for s in places
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
