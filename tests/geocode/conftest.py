"""A real HTTP server on 127.0.0.1 that answers like Nominatim and Photon.

The online geocoder is tested against real sockets, real geopy and real
requests, not mocks: only the far end is ours.  The server knows a handful of
places, records every request it sees (path, parameters, headers, arrival
time), and can be scripted per test to answer with an error status, a body of
our choosing, or after a delay.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

PLACES: list[dict[str, Any]] = [
    {
        "place_id": 101,
        "osm_type": "relation",
        "osm_id": 7_000_001,
        "name": "Samarkand",
        "names": {"de": "Samarkand", "ru": "Самарканд"},
        "lat": 39.6547,
        "lon": 66.9758,
        "class": "boundary",
        "type": "administrative",
        "importance": 0.62,
        "state": "Samarqand Region",
        "country": "Uzbekistan",
        "country_code": "uz",
    },
    {
        "place_id": 202,
        "osm_type": "node",
        "osm_id": 7_000_002,
        "name": "Springfield",
        "names": {},
        "lat": 39.7990,
        "lon": -89.6440,
        "class": "place",
        "type": "city",
        "importance": 0.55,
        "state": "Illinois",
        "country": "United States",
        "country_code": "us",
    },
    {
        "place_id": 303,
        "osm_type": "node",
        "osm_id": 7_000_003,
        "name": "Springfield",
        "names": {},
        "lat": -27.6530,
        "lon": 152.9170,
        "class": "place",
        "type": "suburb",
        "importance": 0.31,
        "state": "Queensland",
        "country": "Australia",
        "country_code": "au",
    },
]


@dataclass
class Reply:
    """One scripted answer: status, JSON (or raw text) body, extra headers, delay before answering."""

    status: int = 200
    body: Any = None
    text: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Seen:
    """A request as the server saw it."""

    path: str
    params: dict[str, str]
    headers: dict[str, str]
    at: float


def _name(place: dict[str, Any], lang: str | None) -> str:
    return place["names"].get(lang or "", place["name"])


def _nominatim(place: dict[str, Any], lang: str | None) -> dict[str, Any]:
    name = _name(place, lang)
    return {
        "place_id": place["place_id"],
        "licence": "Data © OpenStreetMap contributors, ODbL 1.0. https://osm.org/copyright",
        "osm_type": place["osm_type"],
        "osm_id": place["osm_id"],
        "lat": f"{place['lat']:.7f}",
        "lon": f"{place['lon']:.7f}",
        "class": place["class"],
        "type": place["type"],
        "importance": place["importance"],
        "display_name": f"{name}, {place['state']}, {place['country']}",
        "address": {
            "city": name,
            "state": place["state"],
            "country": place["country"],
            "country_code": place["country_code"],
        },
        "boundingbox": [
            str(place["lat"] - 0.1),
            str(place["lat"] + 0.1),
            str(place["lon"] - 0.1),
            str(place["lon"] + 0.1),
        ],
    }


def _photon(place: dict[str, Any], lang: str | None) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [place["lon"], place["lat"]]},
        "properties": {
            "osm_id": place["osm_id"],
            "osm_type": place["osm_type"][0].upper(),
            "osm_key": "place",
            "osm_value": place["type"],
            "type": "city",
            "name": _name(place, lang),
            "state": place["state"],
            "country": place["country"],
            "countrycode": place["country_code"].upper(),
        },
    }


def _nearest(params: dict[str, str]) -> dict[str, Any] | None:
    lat, lon = float(params["lat"]), float(params["lon"])
    best = min(PLACES, key=lambda p: math.hypot(p["lat"] - lat, p["lon"] - lon))
    return best if math.hypot(best["lat"] - lat, best["lon"] - lon) < 1.0 else None


class FakeGeoServer:
    """Nominatim (``/search``, ``/reverse?format=json``) and Photon (``/api``, ``/reverse``) in one."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.script: list[Reply] = []
        self.always: Reply | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server._handle(self)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.domain = f"127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05})

    def start(self) -> FakeGeoServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # wakes handlers sleeping in a scripted delay
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join()

    def reply(self, *replies: Reply) -> None:
        """Answer the next requests with these, in order, then go back to normal answers."""
        with self._lock:
            self.script.extend(replies)

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.seen)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlsplit(handler.path)
        params = {k: v[-1] for k, v in parse_qs(url.query).items()}
        with self._lock:
            self.seen.append(Seen(url.path, params, dict(handler.headers.items()), time.monotonic()))
            scripted = self.script.pop(0) if self.script else self.always
        reply = scripted or self._answer(url.path, params)
        if reply.delay and self._stop.wait(reply.delay):
            return
        data = (reply.text if reply.text is not None else json.dumps(reply.body)).encode()
        try:
            handler.send_response(reply.status)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(data)))
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)

    def _answer(self, path: str, params: dict[str, str]) -> Reply:
        if path == "/search":
            lang = params.get("accept-language")
            q = params.get("q", "").casefold()
            codes = set(params["countrycodes"].split(",")) if "countrycodes" in params else None
            hits = [
                p
                for p in PLACES
                if p["name"].casefold() == q and (codes is None or p["country_code"] in codes)
            ]
            limit = int(params.get("limit", 10))
            return Reply(body=[_nominatim(p, lang) for p in hits[:limit]])
        if path == "/api":
            lang = params.get("lang")
            hits = [p for p in PLACES if p["name"].casefold() == params.get("q", "").casefold()]
            limit = int(params.get("limit", 15))
            return Reply(
                body={"type": "FeatureCollection", "features": [_photon(p, lang) for p in hits[:limit]]}
            )
        if path == "/reverse" and "format" in params:
            place = _nearest(params)
            lang = params.get("accept-language")
            return Reply(body=_nominatim(place, lang) if place else {"error": "Unable to geocode"})
        if path == "/reverse":
            place = _nearest(params)
            features = [_photon(place, params.get("lang"))] if place else []
            return Reply(body={"type": "FeatureCollection", "features": features})
        return Reply(status=404, body={"error": f"no such endpoint {path}"})


@pytest.fixture
def geo_server() -> Iterator[FakeGeoServer]:
    """A fresh server per test on an ephemeral port, stopped afterwards."""
    server = FakeGeoServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def free_port() -> int:
    """A port nothing listens on, for "connection refused"."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
