"""The dashboard's view state and its URL form (``st.query_params``), without Streamlit.

Everything a colleague needs to see the same thing (filters, layer, map centre
and zoom, selected place and article) is one :class:`ViewState`.  It is parsed
from the query string leniently, because links get truncated, edited and
pasted: a malformed or unknown parameter becomes a warning and a default,
never an exception.  Only non-default values are written back, so links stay short.

Parameters (repeatable ones marked ``*``)::

    date=24h|7d|30d|all   from=YYYY-MM-DD  to=YYYY-MM-DD
    country*=CN  admin1*=US.TX  region*=region:un-143  topic*=  lang*=de  source*=
    q=text  role=any|dateline|focus  conf=0.5
    layer=clusters|heatmap|countries  colour=topic  lat=  lon=  z=
    place=gn:1816670  article=<id>  inview=1  page=2
    refresh=60   (auto-refresh every N seconds: one of REFRESH_CHOICES)

``admin1`` (first-level divisions: states, provinces) is ``CC.code`` as in the
place index; a link may also list several in one value, ``admin1=US.TX,CN.13``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dashboard.models import Filters

Day = date  # the ViewState field "date" hides the type name inside the class

DATE_PRESETS: dict[str, timedelta | None] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "all": None,
    "custom": None,
}
PRESET_LABELS = {"all": "All time", "24h": "Last 24 h", "7d": "Last 7 days", "30d": "Last 30 days", "custom": "Custom"}
ROLES = ("any", "dateline", "focus")
ROLE_LABELS = {"any": "Any mention", "dateline": "Dateline", "focus": "Main focus only"}
MAP_LAYERS = ("clusters", "heatmap", "countries")
LAYER_LABELS = {"clusters": "Places (clusters)", "heatmap": "Heatmap", "countries": "Country shading"}
LAYER_TO_MAPS = {"clusters": "markers", "heatmap": "heatmap", "countries": "countries"}

REFRESH_CHOICES = (0, 5, 15, 30, 60, 300, 900)  # seconds; 0 = off
_LIST_KEYS = {"country": "countries", "admin1": "admin1", "region": "regions", "topic": "topics",
              "lang": "languages", "source": "sources"}
KNOWN_KEYS = frozenset(
    {"date", "from", "to", "q", "role", "conf", "layer", "colour", "lat", "lon", "z", "place", "article", "inview", "page"}
    | {"refresh"}
    | set(_LIST_KEYS)
)
_ISO2 = re.compile(r"^[A-Z]{2}$")
_ADMIN1 = re.compile(r"^[A-Z]{2}\.[A-Z0-9]{1,20}$")  # GeoNames admin1: country code, dot, code
_MAX_LIST = 200
_MAX_VALUE = 200  # longest list value (a topic, source, language) a link may hold


@dataclass(frozen=True, slots=True)
class ViewState:
    """What is on screen; defaults mean "no filter", the whole world, clustered markers."""

    date: str = "all"
    date_from: Day | None = None
    date_to: Day | None = None
    countries: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    text: str = ""
    role: str = "any"
    min_conf: float = 0.0
    layer: str = "clusters"
    by_topic: bool = False
    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None
    place: str | None = None
    article: str | None = None
    in_view: bool = False
    page: int = 1
    refresh: int = 0
    bounds: tuple[float, float, float, float] | None = field(default=None, compare=False)

    def with_(self, **changes: Any) -> ViewState:
        return replace(self, **changes)

    def filters(self, now: datetime | None = None, *, with_place: bool = True) -> Filters:
        """The store filter this view asks for.

        ``with_place=False`` leaves out the selected place, for the map itself:
        selecting a place narrows the article list, not the map.
        """
        now = now or datetime.now(UTC)
        date_from = date_to = None
        span = DATE_PRESETS.get(self.date)
        if span is not None:
            date_from = now - span
        elif self.date == "custom":
            if self.date_from:
                date_from = datetime.combine(self.date_from, time.min, tzinfo=UTC)
            if self.date_to:
                date_to = datetime.combine(self.date_to, time.max, tzinfo=UTC)
        return Filters(
            date_from=date_from,
            date_to=date_to,
            countries=self.countries,
            admin1=self.admin1,
            regions=self.regions,
            topics=self.topics,
            languages=self.languages,
            sources=self.sources,
            text=self.text,
            role=self.role,
            min_score=self.min_conf,
            bounds=self.bounds if self.in_view else None,
            place_ids=(self.place,) if (with_place and self.place) else (),
        )


DEFAULT = ViewState()


def _q(raw: object, limit: int = 60) -> str:
    """A value from the link as quoted in a warning: shortened, so a 100 kB parameter gives a short line."""
    text = str(raw)
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _first(params: Mapping[str, Sequence[str]], key: str) -> str | None:
    values = params.get(key) or []
    return values[-1] if values else None


def _float(raw: str, lo: float, hi: float) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) and lo <= value <= hi else None


def parse_params(params: Mapping[str, Sequence[str]]) -> tuple[ViewState, list[str]]:
    """Read a view from query parameters (each key mapped to all its values).

    Returns the view and a list of human-readable warnings, one per parameter
    that was ignored.  Never raises.
    """
    warnings: list[str] = []
    v: dict[str, Any] = {}

    unknown = sorted(k for k in params if k not in KNOWN_KEYS)
    if unknown:
        warnings.append(f"Ignored unknown link parameter(s): {', '.join(_q(k, 30) for k in unknown[:10])}.")

    preset = _first(params, "date")
    if preset is not None:
        if preset in DATE_PRESETS:
            v["date"] = preset
        else:
            warnings.append(f"Unknown date range {_q(preset)}; showing all dates.")
    for key, attr in (("from", "date_from"), ("to", "date_to")):
        raw = _first(params, key)
        if raw is None:
            continue
        try:
            v[attr] = date.fromisoformat(raw)
            v["date"] = "custom"
        except ValueError:
            warnings.append(f"Could not read the date {key}={_q(raw)} (expected YYYY-MM-DD); ignored.")
    if v.get("date_from") and v.get("date_to") and v["date_from"] > v["date_to"]:
        warnings.append("The start date was after the end date; they were swapped.")
        v["date_from"], v["date_to"] = v["date_to"], v["date_from"]

    for key, attr in _LIST_KEYS.items():
        values = [x.strip() for x in (params.get(key) or []) if x and x.strip()]
        if key == "country":
            bad = [x for x in values if not _ISO2.match(x.upper())]
            if bad:
                warnings.append(f"Ignored malformed country code(s): {', '.join(_q(x, 30) for x in bad[:5])}.")
            values = [x.upper() for x in values if _ISO2.match(x.upper())]
        elif key == "admin1":
            values = [y.strip() for x in values for y in x.split(",") if y.strip()]
            bad = [x for x in values if not _ADMIN1.match(x.upper())]
            if bad:
                shown = ", ".join(x[:30] for x in bad[:5])
                warnings.append(f"Ignored malformed state/province code(s) (expected e.g. US.TX): {shown}.")
            values = [x.upper() for x in values if _ADMIN1.match(x.upper())]
        if any(len(x) > _MAX_VALUE for x in values):
            warnings.append(f"Ignored {key} value(s) longer than {_MAX_VALUE} characters.")
            values = [x for x in values if len(x) <= _MAX_VALUE]
        if len(values) > _MAX_LIST:
            warnings.append(f"Too many {key} values; kept the first {_MAX_LIST}.")
            values = values[:_MAX_LIST]
        if values:
            v[attr] = tuple(dict.fromkeys(values))

    text = _first(params, "q")
    if text:
        v["text"] = text[:200]
    role = _first(params, "role")
    if role is not None:
        if role in ROLES:
            v["role"] = role
        else:
            warnings.append(f"Unknown mention role {_q(role)}; using any mention.")
    conf = _first(params, "conf")
    if conf is not None:
        value = _float(conf, 0.0, 1.0)
        if value is None:
            warnings.append(f"Minimum confidence must be between 0 and 1, got {_q(conf)}; using 0.")
        else:
            v["min_conf"] = value
    layer = _first(params, "layer")
    if layer is not None:
        if layer in MAP_LAYERS:
            v["layer"] = layer
        else:
            warnings.append(f"Unknown map layer {_q(layer)}; showing clustered places.")

    colour = _first(params, "colour")
    if colour is not None:
        if colour in ("topic", "count"):
            v["by_topic"] = colour == "topic"
        else:
            warnings.append(f"Unknown marker colouring {_q(colour)}; markers are coloured by count.")

    lat, lon, z = _first(params, "lat"), _first(params, "lon"), _first(params, "z")
    if lat is not None or lon is not None:
        flat = _float(lat or "", -90, 90)
        flon = _float(lon or "", -540, 540)
        if flat is None or flon is None:
            warnings.append("Could not read the map centre (lat, lon); fitting the map to the places.")
        else:
            v["lat"], v["lon"] = round(flat, 4), round(((flon + 180) % 360) - 180, 4)
    if z is not None:
        fz = _float(z, 0, 20)
        if fz is None:
            warnings.append(f"Zoom must be a number from 0 to 20, got {_q(z)}; ignored.")
        else:
            v["zoom"] = int(round(fz))

    place = _first(params, "place")
    if place:
        v["place"] = place[:100]
    article = _first(params, "article")
    if article:
        v["article"] = article[:200]
    inview = _first(params, "inview")
    if inview is not None:
        v["in_view"] = inview in ("1", "true", "yes")
    page = _first(params, "page")
    if page is not None:
        fp = _float(page, 1, 1_000_000)
        if fp is None:
            warnings.append(f"Page must be a positive number, got {_q(page)}; showing page 1.")
        else:
            v["page"] = int(fp)
    refresh = _first(params, "refresh")
    if refresh is not None:
        if refresh.isdigit() and int(refresh) in REFRESH_CHOICES:
            v["refresh"] = int(refresh)
        else:
            choices = ", ".join(str(c) for c in REFRESH_CHOICES[1:])
            warnings.append(f"Auto-refresh must be one of {choices} seconds, got {refresh[:20]!r}; it is off.")
    return ViewState(**v), warnings


def to_params(view: ViewState) -> dict[str, str | list[str]]:
    """The query parameters for ``view``: only what differs from the defaults."""
    out: dict[str, str | list[str]] = {}
    if view.date != "all":
        out["date"] = view.date
    if view.date == "custom":
        if view.date_from:
            out["from"] = view.date_from.isoformat()
        if view.date_to:
            out["to"] = view.date_to.isoformat()
        if "from" in out or "to" in out:
            out.pop("date")
    for key, attr in _LIST_KEYS.items():
        values = getattr(view, attr)
        if values:
            out[key] = list(values)
    if view.text:
        out["q"] = view.text
    if view.role != "any":
        out["role"] = view.role
    if view.min_conf:
        out["conf"] = f"{view.min_conf:g}"
    if view.layer != "clusters":
        out["layer"] = view.layer
    if view.by_topic:
        out["colour"] = "topic"
    if view.lat is not None and view.lon is not None:
        out["lat"] = f"{view.lat:.4f}"
        out["lon"] = f"{view.lon:.4f}"
    if view.zoom is not None:
        out["z"] = str(view.zoom)
    if view.place:
        out["place"] = view.place
    if view.article:
        out["article"] = view.article
    if view.in_view:
        out["inview"] = "1"
    if view.page != 1:
        out["page"] = str(view.page)
    if view.refresh:
        out["refresh"] = str(view.refresh)
    return out


def query_string(view: ViewState) -> str:
    """``?a=b&c=d`` for the copy-link box (repeated keys for lists)."""
    from urllib.parse import urlencode

    pairs: list[tuple[str, str]] = []
    for key, value in to_params(view).items():
        if isinstance(value, list):
            pairs.extend((key, x) for x in value)
        else:
            pairs.append((key, value))
    return "?" + urlencode(pairs) if pairs else ""

