"""A dashboard session without a browser: a WebSocket client speaking Streamlit's own protocol.

Why: ten headless Chromiums on a two-core machine spend 2-5 s of CPU each on
Streamlit's page and the map, so timing ten of them measures the machine, not
the server.  This client makes the server do the full work of a session (a
new session, the script run with the shared link's query string, every
element sent, the map component's first answer and the fragment rerun it
causes) and costs the machine almost nothing itself (it only parses the
messages).

It talks to ``/_stcore/stream`` exactly as Streamlit's frontend does, with the
protobuf messages the installed ``streamlit`` package ships
(``streamlit.proto``): a ``BackMsg.rerun_script`` carrying the link's query
string, then ``ForwardMsg``s until ``script_finished``.  The map component
(``streamlit_folium``) answers once it has drawn, with the map's centre and
zoom; the client sends that answer (a widget value, as a rerun of the map's
fragment) with the centre and zoom the map was built at, and waits for the
fragment run to finish, as a browser's session would.

Used by ``benchmarks/concurrent_sessions.py``; the library never imports it.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

MAP_COMPONENT = "streamlit_folium.st_folium"


class ProtocolError(RuntimeError):
    """The server did not behave as a Streamlit session should (closed early, script error...)."""


@dataclass
class SessionTiming:
    """Seconds since the session started connecting, for one protocol-level session."""

    query: str
    map_s: float | None = None  # the map component's message arrived
    finished_s: float | None = None  # the script run finished (the whole page was sent)
    answered_s: float | None = None  # the rerun after the map's first answer finished
    messages: int = 0
    bytes: int = 0
    errors: list[str] = field(default_factory=list)


def _stream_url(base: str) -> str:
    parts = urlsplit(base)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"


def _origin(base: str) -> str:
    """What a browser sends as ``Origin`` for a page under ``base`` (scheme, host and port only)."""
    parts = urlsplit(base)
    return f"{parts.scheme}://{parts.netloc}"


def _rerun(query: str, widget: tuple[str, str] | None = None, fragment_id: str = "",
           page_script_hash: str = "") -> bytes:
    msg = BackMsg()
    cs = msg.rerun_script
    cs.query_string = query
    cs.page_script_hash = page_script_hash
    if widget is not None:
        ws = cs.widget_states.widgets.add()
        ws.id, ws.json_value = widget
    if fragment_id:
        cs.fragment_id = fragment_id
    return msg.SerializeToString()


async def _until_finished(ws, out: SessionTiming, t0: float) -> tuple[ForwardMsg | None, str]:
    """Read messages until the script run finishes; returns the map component's delta and the page hash."""
    component: ForwardMsg | None = None
    page_hash = ""
    while True:
        raw = await ws.recv()
        out.messages += 1
        out.bytes += len(raw)
        fm = ForwardMsg()
        fm.ParseFromString(raw)
        kind = fm.WhichOneof("type")
        if kind == "delta":
            d = fm.delta
            if d.WhichOneof("type") == "new_element":
                el = d.new_element
                if el.WhichOneof("type") == "component_instance" and \
                        el.component_instance.component_name == MAP_COMPONENT:
                    component = fm
                    if out.map_s is None:
                        out.map_s = time.perf_counter() - t0
                elif el.WhichOneof("type") == "exception":
                    out.errors.append(el.exception.message)
        elif kind == "new_session":
            page_hash = fm.new_session.page_script_hash
        elif kind == "page_info_changed":
            pass
        elif kind == "script_finished":
            status = fm.script_finished
            if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                raise ProtocolError("the script did not compile")
            if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                continue  # st.rerun(): the next run follows on the same connection
            return component, page_hash


async def open_session(base: str, query: str, *, answer_map: bool = True, timeout: float = 120.0) -> SessionTiming:
    """One session on ``base`` for the link's ``query`` (``lang=de``, no ``?``); its timings."""
    out = SessionTiming(query)
    t0 = time.perf_counter()
    async with asyncio.timeout(timeout):
        async with connect(_stream_url(base), subprotocols=["streamlit"], max_size=None,  # type: ignore[list-item]
                           origin=_origin(base), compression=None) as ws:  # type: ignore[arg-type]
            await ws.send(_rerun(query))
            component, page_hash = await _until_finished(ws, out, t0)
            out.finished_s = time.perf_counter() - t0
            if component is None:
                out.errors.append("no map component in the page")
                return out
            if answer_map:
                inst = component.delta.new_element.component_instance
                args = json.loads(inst.json_args or "{}")
                value = {"last_object_clicked_tooltip": None, "last_object_clicked": None,
                         "center": _centre(args), "zoom": args.get("zoom") or 2}
                await ws.send(_rerun(query, (inst.id, json.dumps(value)), component.delta.fragment_id, page_hash))
                await _until_finished(ws, out, t0)
                out.answered_s = time.perf_counter() - t0
    return out


def _centre(args: dict) -> dict[str, float]:
    """The map's centre as Leaflet would report it: the middle of its bounds when drawn fitted."""
    b = args.get("bounds") or {}
    sw, ne = b.get("_southWest") or {}, b.get("_northEast") or {}
    if sw.get("lat") is not None and ne.get("lat") is not None:
        return {"lat": (sw["lat"] + ne["lat"]) / 2, "lng": (sw["lng"] + ne["lng"]) / 2}
    return {"lat": 20.0, "lng": 0.0}


async def open_sessions(base: str, queries: Sequence[str], *, answer_map: bool = True,
                        timeout: float = 120.0) -> list[SessionTiming]:
    """All sessions at the same moment, each on its own connection."""
    async def one(q: str) -> SessionTiming:
        try:
            return await open_session(base, q, answer_map=answer_map, timeout=timeout)
        except (OSError, TimeoutError, ProtocolError, Exception) as err:  # noqa: BLE001 - reported, not hidden
            t = SessionTiming(q)
            t.errors.append(f"{type(err).__name__}: {err}")
            return t
    return list(await asyncio.gather(*(one(q) for q in queries)))


def open_sessions_blocking(base: str, queries: Sequence[str], **kwargs: Any) -> list[SessionTiming]:
    """:func:`open_sessions` from synchronous code, on a thread of its own.

    Its own thread, so it works where an event loop is already running in this one
    (Playwright's synchronous API leaves one there).
    """
    out: list[SessionTiming] = []
    t = threading.Thread(target=lambda: out.extend(asyncio.run(open_sessions(base, queries, **kwargs))), daemon=True)
    t.start()
    t.join()
    return out
