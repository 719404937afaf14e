"""The map component's input, built once per distinct map and shared by every session and rerun.

Why: profiling ``serve`` with five sessions opening at once (py-spy, see
``benchmarks/concurrent_sessions.py``) showed the server's Python time going
to folium, not to the store: building the map (branca compiles a Jinja
template for many elements) and ``st_folium`` rendering it to HTML and
JavaScript, on every script run of every session, all under the one
Streamlit process's GIL.  Colleagues opening the same link, and every rerun
of the map fragment (panning, the component's first answer), need exactly the
same strings, so they are computed once per map content (a fingerprint of the
places, counts and view it is built from) and kept in ``st.cache_resource``.

The strings are what ``streamlit_folium.st_folium`` would send; the component
itself is called with them.  When a test replaces ``streamlit_folium.st_folium``
(to simulate a click without a browser), that replacement is called instead.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterable
from typing import Any

import streamlit as st
import streamlit_folium as sf

_ORIGINAL = sf.st_folium
_DEFAULTS = {
    "last_clicked": None, "last_object_clicked": None, "last_object_clicked_count": None,
    "last_object_clicked_tooltip": None, "last_object_clicked_popup": None, "all_drawings": None,
    "last_active_drawing": None, "last_circle_radius": None, "last_circle_polygon": None,
    "selected_layers": None, "selected_tags": None, "last_geocoder_result": None,
}


def fingerprint(*parts: Any) -> str:
    """A short digest of everything a map is built from (places with their headlines, counts, view)."""
    return hashlib.blake2b(pickle.dumps(parts, protocol=5), digest_size=16).hexdigest()


@st.cache_resource(max_entries=64, show_spinner=False)
def _component_args(key: str, _build: Callable[[], Any]) -> dict[str, Any]:
    """Build the map and compute the component's arguments as ``st_folium`` does (once per ``key``)."""
    import folium
    import folium.elements
    from branca.colormap import ColorMap

    m = _build()
    # Rendering the figure renders the map in it; st_folium renders the map a second time, which
    # changes none of the strings (tests/app/test_mapcache.py) and took half of this function's time.
    m.get_root().render()
    html = sf._get_html(m)
    header = sf._get_header(m)
    script = sf._get_map_string(m)
    try:
        bounds = m.get_bounds()
    except AttributeError:
        bounds = [[None, None], [None, None]]
    css: list[str] = []
    js: list[str] = []

    def walk(el: Any) -> Iterable[Any]:
        if isinstance(el, (ColorMap, folium.elements.JSCSSMixin)):
            yield el
        for child in getattr(el, "_children", {}).values():
            yield from walk(child)

    for el in walk(m):
        css.extend(href for _, href in getattr(el, "default_css", []))
        js.extend(src for _, src in getattr(el, "default_js", []))
    sw, ne = bounds
    return {
        "script": script, "header": header, "html": html, "id": sf.get_full_id(m),
        "css_links": list(dict.fromkeys(css)), "js_links": list(dict.fromkeys(js)),
        "bounds": {"_southWest": {"lat": sw[0], "lng": sw[1]}, "_northEast": {"lat": ne[0], "lng": ne[1]}},
        "zoom": m.options.get("zoom") if hasattr(m, "options") else {},
    }


def show_map(build: Callable[[], Any], content_key: str, *, key: str, height: int,
             returned_objects: list[str]) -> dict[str, Any]:
    """Draw the map ``build()`` makes (built once per ``content_key``); returns what ``st_folium`` returns."""
    if sf.st_folium is not _ORIGINAL:  # replaced by a test
        return sf.st_folium(build(), key=key, height=height, use_container_width=True,
                            returned_objects=returned_objects) or {}
    args = _component_args(content_key, build)
    defaults = {**_DEFAULTS, "bounds": args["bounds"], "zoom": args["zoom"]}
    hash_key = sf.generate_js_hash(args["script"], key, False)

    def _on_change() -> None:
        st.session_state[key] = st.session_state.get(hash_key, {})

    out = sf._component_func(
        script=args["script"], header=args["header"], html=args["html"], id=args["id"], key=hash_key,
        height=height, width=None, returned_objects=returned_objects,
        default={k: v for k, v in defaults.items() if k in returned_objects},
        zoom=None, center=None, feature_group=None, return_on_hover=False, layer_control=None, pixelated=False,
        css_links=args["css_links"], js_links=args["js_links"], on_change=_on_change, wrap_longitude=False,
    )
    return out or {}
