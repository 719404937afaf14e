"""The poller against a real HTTP server: new items once, 304s honoured, failures backed off, leases."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

from feed_server import atom, rss

from dashboard.live.poller import Poller, PollerOptions, backoff, is_failing
from dashboard.store import Store

FAST = PollerOptions(timeout=0.5, retries=0, host_delay=0.0)

ITEMS = [
    ("a1", "Talks in Berlin", "Ministers met in Berlin on Monday to discuss the budget."),
    ("a2", "Port of Hamburg", "Ships queued outside Hamburg as the strike went on."),
]
NEW = ("a3", "Paris summit", "Leaders arrived in Paris for a summit on energy.")
ATOM_ITEM = ("z1", "Zürich vote", "Voters in Zürich approved the new tram line.")


def _poller(store: Store, clock, geoparse, holder: str = "test:1:a") -> Poller:
    return Poller(store, options=FAST, geoparser=geoparse, tagger=None, clock=clock, holder=holder)


def _titles(store: Store) -> list[str]:
    return sorted(r[0] for r in store._conn().all("SELECT title FROM articles"))


def test_new_items_appear_once_and_304_costs_nothing(store, feeds, clock, counting_geoparse):
    url_rss = feeds.put("/rss", rss(ITEMS))
    url_atom = feeds.put("/atom", atom([ATOM_ITEM], "Atom wire"), ctype="application/atom+xml")
    store.add_feed(url_rss, name="Wire", interval_s=600)
    store.add_feed(url_atom, interval_s=600)
    poller = _poller(store, clock, counting_geoparse)

    first = {o.url: o for o in poller.poll_due()}
    assert (first[url_rss].status, first[url_rss].new) == ("ok", 2)
    assert (first[url_atom].status, first[url_atom].new) == ("ok", 1)
    parsed = len(counting_geoparse.calls)

    assert poller.poll_due() == []  # nothing is due before the interval
    clock.advance(seconds=601)
    runs = store._conn().scalar("SELECT COUNT(*) FROM ingest_runs")
    second = {o.url: o for o in poller.poll_due()}
    assert {o.status for o in second.values()} == {"not-modified"}
    assert feeds.count("/rss", 304) == 1 and feeds.count("/atom", 304) == 1
    assert len(counting_geoparse.calls) == parsed  # a 304 parses nothing...
    assert store._conn().scalar("SELECT COUNT(*) FROM ingest_runs") == runs  # ...and writes no run

    feeds.put("/rss", rss([*ITEMS, NEW]))
    clock.advance(seconds=601)
    third = {o.url: o for o in poller.poll_due()}
    assert (third[url_rss].status, third[url_rss].new, third[url_rss].duplicates) == ("ok", 1, 2)
    assert counting_geoparse.calls[parsed:] == [NEW[1] + "\n\n" + NEW[2]]  # only the new item was geoparsed
    feed = store.feed(url_rss)
    assert feed is not None
    assert (feed.new_last, feed.new_total, feed.last_status, feed.polls) == (1, 3, "ok", 3)
    assert feed.last_new_at == clock.now and feed.etag
    assert _titles(store) == ["Paris summit", "Port of Hamburg", "Talks in Berlin", "Zürich vote"]


def test_unchanged_feed_without_validators_geoparses_nothing(store, feeds, clock, counting_geoparse):
    url = feeds.put("/plain", rss(ITEMS, build="Mon, 06 Jan 2025 10:00:00 GMT"), validators=False)
    store.add_feed(url, interval_s=60)
    poller = _poller(store, clock, counting_geoparse)
    assert poller.poll_due()[0].new == 2
    calls = len(counting_geoparse.calls)
    clock.advance(seconds=61)
    same = poller.poll_due()[0]
    assert (same.status, same.new) == ("unchanged", 0)  # byte-identical body: not even parsed
    feeds.put("/plain", rss(ITEMS, build="Mon, 06 Jan 2025 10:15:00 GMT"), validators=False)
    clock.advance(seconds=61)
    rebuilt = poller.poll_due()[0]
    assert (rebuilt.status, rebuilt.new, rebuilt.duplicates) == ("ok", 0, 2)
    assert len(counting_geoparse.calls) == calls  # items stored already never reach the geoparser


def test_failing_feeds_are_reported_backed_off_and_retried_while_others_go_on(store, feeds, clock,
                                                                             counting_geoparse):
    good = feeds.put("/good", rss(ITEMS))
    broken = feeds.put("/broken", rss(ITEMS), mode="500")
    slow = feeds.put("/slow", rss(ITEMS), mode="slow")
    feeds.slow = 2.0
    garbage = feeds.put("/garbage", b"", mode="garbage")
    for url in (broken, slow, garbage, good):
        store.add_feed(url, interval_s=600)
    poller = _poller(store, clock, counting_geoparse)

    out = {o.url: o for o in poller.poll_due()}
    assert (out[good].status, out[good].new) == ("ok", 2)
    assert out[broken].status == "error" and "HTTP 500" in out[broken].error
    assert out[slow].status == "error" and "no answer within 0.5 s" in out[slow].error
    assert out[garbage].status == "error" and "not a feed" in out[garbage].error
    failed = store.feed(broken)
    assert failed is not None
    assert (failed.failures, failed.last_status, failed.failing_since) == (1, "error", clock.now)
    assert failed.next_due_at == clock.now + timedelta(seconds=600)
    assert "HTTP 500" in failed.last_error

    clock.advance(seconds=601)
    again = {o.url: o.status for o in poller.poll_due()}
    assert again == {good: "not-modified", broken: "error", slow: "error", garbage: "error"}
    failed = store.feed(broken)
    assert failed is not None and failed.failures == 2
    assert failed.next_due_at == clock.now + timedelta(seconds=1200)  # doubled

    clock.advance(days=2)
    failed = store.feed(broken)
    assert failed is not None and is_failing(failed, clock.now)  # marked, never dropped
    feeds.docs["/broken"].mode = "ok"
    healed = {o.url: o for o in poller.poll_due()}
    assert healed[broken].status == "ok" and healed[broken].new == 0  # same items as /good: stored once
    failed = store.feed(broken)
    assert failed is not None and (failed.failures, failed.failing_since, failed.last_error) == (0, None, "")
    assert len(store.feeds()) == 4


def test_backoff_doubles_up_to_the_cap():
    cap = timedelta(hours=6)
    assert [backoff(900, n, cap).total_seconds() for n in (1, 2, 3)] == [900, 1800, 3600]
    assert backoff(900, 30, cap) == cap
    assert backoff(86400, 5, cap) == timedelta(days=1)  # never more often than the feed's own interval


def test_a_feed_leased_by_another_poller_is_skipped_and_a_dead_holders_lease_taken_over(store, feeds, clock,
                                                                                       counting_geoparse):
    url = feeds.put("/rss", rss(ITEMS))
    feed = store.add_feed(url)
    assert store.claim_feed(feed.id, "other-host:1:x", clock.now, timedelta(minutes=5))
    poller = _poller(store, clock, counting_geoparse)
    assert [o.status for o in poller.poll_due()] == ["skipped"]
    assert feeds.count("/rss") == 0
    clock.advance(minutes=6)  # the lease expired: the feed is polled
    assert [o.status for o in poller.poll_due()] == ["ok"]

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    import socket

    second = store.add_feed(feeds.put("/rss2", rss([NEW])))
    assert store.claim_feed(second.id, f"{socket.gethostname()}:{dead.stdout.strip()}:y", clock.now,
                            timedelta(hours=1))
    assert [o.status for o in poller.poll_due()] == ["ok"]  # its holder died: taken over at once
    assert store.leases() == []


def _page(city: str) -> bytes:
    body = " ".join(f"<p>Officials in {city} said on Monday that the new bridge across the river will open in"
                    f" spring, after {n} years of planning and debate in the council.</p>" for n in range(3, 7))
    return f"<html><head><title>Bridge in {city}</title></head><body><article><h1>Bridge in {city}</h1>{body}" \
           f"</article></body></html>".encode()


def _linked_rss(base: str, pages: list[str]) -> bytes:
    items = "".join(f"<item><title>Bridge in {p}</title><link>{base}/page/{p}</link><description>Short."
                    f"</description></item>" for p in pages)
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Linked</title>{items}</channel></rss>'.encode()


def test_full_text_fetches_each_new_items_page_once(store, feeds, clock, counting_geoparse):
    for city in ("Berlin", "Hamburg", "Paris"):
        feeds.put(f"/page/{city}", _page(city), ctype="text/html")
    url = feeds.put("/linked", _linked_rss(feeds.base, ["Berlin", "Hamburg"]))
    store.add_feed(url, full_text=True, interval_s=60)
    poller = _poller(store, clock, counting_geoparse)
    assert poller.poll_due()[0].new == 2
    texts = store._conn().all("SELECT text FROM articles ORDER BY id")
    assert all("new bridge across the river" in t for (t,) in texts)  # the page's text, not the summary
    feeds.put("/linked", _linked_rss(feeds.base, ["Berlin", "Hamburg", "Paris"]))
    clock.advance(seconds=61)
    assert poller.poll_due()[0].new == 1
    assert [feeds.count(f"/page/{c}") for c in ("Berlin", "Hamburg", "Paris")] == [1, 1, 1]  # stored: not refetched


RULES = """
[topics.bridges]
names = { en = "Bridges" }

[topics.bridges.en]
"bridge*" = 4
"""


def test_a_feeds_own_topic_rules_tag_its_articles_only(tmp_path, feeds, clock, counting_geoparse):
    rules = tmp_path / "bridges.toml"
    rules.write_text(RULES, encoding="utf-8")
    store = Store(f"sqlite:///{tmp_path / 'news.sqlite'}")
    text = "Engineers in Berlin said the old bridge over the Spree will be replaced by a new bridge next year."
    store.add_feed(feeds.put("/ruled", rss([("b1", "Bridge works in Berlin", text)])), topic_rules=str(rules))
    store.add_feed(feeds.put("/plain", rss([("b2", "Bridge works in Hamburg", text.replace("Berlin", "Hamburg"))])))
    poller = Poller(store, options=FAST, geoparser=counting_geoparse, clock=clock)  # the product's tagger
    assert [o.new for o in poller.poll_due()] == [1, 1]
    tagged = dict(store._conn().all(
        "SELECT a.title, COUNT(t.topic) FROM articles a LEFT JOIN article_topics t ON t.article_id = a.id"
        " AND t.topic = 'bridges' GROUP BY a.title"))
    assert tagged == {"Bridge works in Berlin": 1, "Bridge works in Hamburg": 0}
    store.close()
