"""A small HTTP endpoint that serves each alert's Atom feed live from the store.

Streamlit serves its app and static files but no routes of our own, so the
alert feeds get their own stdlib HTTP server (``alerts serve``, or
``serve --alerts-port``): ``GET /alerts/NAME.atom`` answers with the feed as
the store has it at that moment, ``GET /alerts/`` lists the alerts.  It only
reads the store, so it is the same in read-only mode.
"""

from __future__ import annotations

import logging
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote, urlsplit

from dashboard.errors import DashboardError
from dashboard.live.alerts import atom_feed
from dashboard.store import Store

logger = logging.getLogger(__name__)


def make_server(store: Store, address: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """A server bound to ``address:port`` (0: a free port; read it back from ``server_address``)."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "news-map-alerts"

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            path = unquote(urlsplit(self.path).path)
            try:
                if path.rstrip("/") in ("", "/alerts"):
                    names = [a.name for a in store.alerts()]
                    body = "".join(f"/alerts/{quote(n, safe='')}.atom\n" for n in names) or "no alerts\n"
                    self._send(200, "text/plain; charset=utf-8", body)
                    return
                if path.startswith("/alerts/") and path.endswith(".atom"):
                    alert = store.alert(path[len("/alerts/"):-len(".atom")])
                    if alert is not None:
                        host = self.headers.get("Host", "")
                        xml = atom_feed(alert, store.alert_matches(alert.id),
                                        self_url=f"http://{host}{self.path}" if host else "")
                        self._send(200, "application/atom+xml; charset=utf-8", xml)
                        return
                self._send(404, "text/plain; charset=utf-8", "no such alert\n")
            except DashboardError as err:
                logger.warning("alert feed %s: %s", path, err)
                self._send(503, "text/plain; charset=utf-8", "the store is not available\n")

        def _send(self, status: int, ctype: str, body: str) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
            logger.debug("alerts http: " + format, *args)

    return ThreadingHTTPServer((address, port), Handler)
