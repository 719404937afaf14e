"""Alerts: a matching new article reaches the Atom feed and the webhook exactly once; others do not."""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime
from threading import Thread

from feed_server import rss
from lxml import etree

from dashboard.live.alerts import FireSummary, atom_feed, fire_alerts
from dashboard.live.atom_server import make_server
from dashboard.live.poller import Poller, PollerOptions
from dashboard.models import Filters
from dashboard.store import open_store
from dashboard.store.alerts import filters_from_json, filters_to_json

OLD = ("o1", "Earlier news from Berlin", "An older report from Berlin about the weather.")
MATCH = ("m1", "Strike in Hamburg <b>now</b>", "Dock workers in Hamburg stopped work on Monday.")
OTHER = ("x1", "Paris fashion week", "Designers showed their collections in Paris.")
ATOM = "{http://www.w3.org/2005/Atom}"


def _titles(xml: str) -> list[str]:
    root = etree.fromstring(xml.encode())
    return [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]


def test_matching_article_reaches_atom_and_webhook_exactly_once(store_url, feeds, hook, clock, counting_geoparse):
    url = feeds.put("/rss", rss([OLD]))
    store = open_store(store_url)
    store.add_feed(url, interval_s=60)
    poller = Poller(store, options=PollerOptions(timeout=2, retries=0, host_delay=0), geoparser=counting_geoparse,
                    tagger=None, clock=clock)
    poller.poll_due()
    alert = store.add_alert("germany", Filters(countries=("DE",)), hook.url)
    assert fire_alerts(store, "p1").matched == 0  # saved after the Berlin article: the back catalogue stays quiet

    feeds.put("/rss", rss([OLD, MATCH, OTHER]))
    clock.advance(seconds=61)
    assert poller.poll_due()[0].new == 2
    fired = fire_alerts(store, "p1")
    assert (fired.matched, fired.delivered, fired.failed) == (1, 1, 0)
    assert [b["article"]["title"] for b in hook.bodies] == ["Strike in Hamburg now"]
    assert hook.bodies[0]["alert"] == "germany" and hook.bodies[0]["article"]["places"] == ["Hamburg"]
    assert _titles(atom_feed(alert, store.alert_matches(alert.id))) == ["Strike in Hamburg now"]

    assert fire_alerts(store, "p2") == FireSummary()  # nothing new: nothing fires, whichever poller asks
    store.close()
    with open_store(store_url) as reopened:  # a restarted poller remembers what it delivered
        assert fire_alerts(reopened, "p3").matched == 0
        assert len(hook.bodies) == 1
        assert reopened.delivery_counts(alert.id) == (1, 1, "")


def test_a_failed_webhook_is_retried_next_cycle_and_delivered_once(store_url, feeds, hook, clock, counting_geoparse):
    store = open_store(store_url)
    store.add_alert("hamburg", Filters(text="Hamburg"), hook.url)
    store.add_feed(feeds.put("/rss", rss([MATCH, OTHER])))
    Poller(store, options=PollerOptions(timeout=2, retries=0, host_delay=0), geoparser=counting_geoparse,
           tagger=None, clock=clock).poll_due()
    hook.fail = 1
    first = fire_alerts(store, "p1")
    assert (first.matched, first.delivered, first.failed) == (1, 0, 1) and hook.bodies == []
    matched, delivered, error = store.delivery_counts(store.alert("hamburg").id)  # type: ignore[union-attr]
    assert (matched, delivered) == (1, 0) and "500" in error
    second = fire_alerts(store, "p1")
    assert (second.matched, second.delivered) == (0, 1)
    assert fire_alerts(store, "p1").delivered == 0
    assert [b["article"]["title"] for b in hook.bodies] == ["Strike in Hamburg now"]
    store.close()


def test_alert_feeds_are_served_over_http_and_escaped(tmp_path, feeds, clock, counting_geoparse):
    store = open_store(f"sqlite:///{tmp_path / 'news.sqlite'}")
    store.add_alert("all news", Filters())
    store.add_feed(feeds.put("/rss", rss([MATCH])))
    Poller(store, options=PollerOptions(timeout=2, retries=0, host_delay=0), geoparser=counting_geoparse,
           tagger=None, clock=clock).poll_due()
    fire_alerts(store, "p1", datetime.now(UTC))
    server = make_server(store)
    Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with urllib.request.urlopen(f"{base}/alerts/all%20news.atom", timeout=5) as resp:
            assert resp.headers["Content-Type"].startswith("application/atom+xml")
            xml = resp.read().decode()
        assert _titles(xml) == ["Strike in Hamburg now"]  # the feed's markup became text, then escaped
        with urllib.request.urlopen(f"{base}/alerts/", timeout=5) as resp:
            assert resp.read().decode() == "/alerts/all%20news.atom\n"
        try:
            urllib.request.urlopen(f"{base}/alerts/nope.atom", timeout=5)
            raise AssertionError("expected 404")
        except urllib.error.HTTPError as err:
            assert err.code == 404
    finally:
        server.shutdown()
        server.server_close()
        store.close()


def test_filters_round_trip_through_json():
    f = Filters(date_from=datetime(2025, 1, 1, tzinfo=UTC), countries=("KZ", "UZ"), topics=("politics",),
                text="Wahl", role="focus", min_score=0.5, bounds=(35.0, 45.0, 55.0, 90.0), place_ids=("gn:1",))
    assert filters_from_json(filters_to_json(f)) == f
    assert filters_to_json(Filters()) == "{}"
