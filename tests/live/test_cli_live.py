"""The feeds, watch and alerts commands: exit codes and exact messages."""

from __future__ import annotations

import json

from click.testing import CliRunner
from feed_server import rss

from dashboard.cli import main

OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><head><title>mine</title></head><body>
  <outline text="News"><outline text="Wire" title="Wire" type="rss" xmlUrl="https://wire.test/rss" language="de"/>
  <outline text="Other" xmlUrl="https://other.test/atom"/></outline>
  <outline text="no url"/><outline text="ftp" xmlUrl="ftp://x.test/feed"/>
</body></opml>"""


def _run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_feeds_add_list_remove_and_opml_round_trip(tmp_path):
    db = f"sqlite:///{tmp_path / 'news.sqlite'}"
    res = _run("feeds", "add", "https://example.test/rss", "--name", "Example", "--every", "30m", "--lang", "de",
               "--db", db)
    assert res.exit_code == 0 and "Subscribed to https://example.test/rss (feed 1, every 30m)." in res.output
    res = _run("feeds", "add", "https://example.test/rss", "--db", db)
    assert res.exit_code == 1 and "Error: already subscribed to https://example.test/rss" in res.output
    assert "Error: --every '5s': poll at most every 10 s" in _run("feeds", "add", "https://x.test", "--every",
                                                                       "5s", "--db", db).output
    assert "Error: --every 'soon'" in _run("feeds", "add", "https://x.test", "--every", "soon", "--db", db).output
    assert "is not an http:// or https:// URL" in _run("feeds", "add", "file:///etc/passwd", "--db", db).output

    (tmp_path / "subs.opml").write_bytes(OPML)
    res = _run("feeds", "import", str(tmp_path / "subs.opml"), "--db", db)
    assert res.exit_code == 0
    assert "skipped 'ftp://x.test/feed': not an http(s) URL" in res.output
    assert "Imported 2 feed(s)" in res.output and "(0 already subscribed)" in res.output
    listed = [json.loads(line) for line in _run("feeds", "list", "--json", "--db", db).output.splitlines()]
    assert [(f["url"], f["name"], f["lang"], f["interval_s"]) for f in listed] == [
        ("https://example.test/rss", "Example", "de", 1800), ("https://wire.test/rss", "Wire", "de", 900),
        ("https://other.test/atom", "Other", None, 900)]
    text = _run("feeds", "list", "--db", db).output
    assert "every 30m; last fetch never: new;" in text

    exported = _run("feeds", "export", "--db", db).output
    (tmp_path / "back.opml").write_text(exported)
    db2 = f"sqlite:///{tmp_path / 'other.sqlite'}"
    assert "Imported 3 feed(s)" in _run("feeds", "import", str(tmp_path / "back.opml"), "--db", db2).output

    assert "Unsubscribed from https://wire.test/rss." in _run("feeds", "remove", "Wire", "--db", db).output
    res = _run("feeds", "remove", "Wire", "--db", db)
    assert res.exit_code == 1 and "Error: no subscription 'Wire'" in res.output
    (tmp_path / "bad.opml").write_text("<html><body>no</body></html>")
    res = _run("feeds", "import", str(tmp_path / "bad.opml"), "--db", db)
    assert res.exit_code == 1 and "not an OPML file (the root element is <html>" in res.output


def test_read_only_refuses_changes(tmp_path):
    db = f"sqlite:///{tmp_path / 'news.sqlite'}"
    env = {"DASHBOARD_READ_ONLY": "1"}
    res = _run("feeds", "add", "https://example.test/rss", "--db", db, env=env)
    assert res.exit_code == 1 and "Error: read-only mode (DASHBOARD_READ_ONLY): cannot add feeds" in res.output
    res = _run("alerts", "add", "x", "--db", db, env=env)
    assert res.exit_code == 1 and "cannot add alerts" in res.output


def test_watch_once_and_alerts_commands(tmp_path, feeds, hook):
    db = f"sqlite:///{tmp_path / 'news.sqlite'}"
    res = _run("alerts", "add", "germany", "--country", "DE", "--webhook", hook.url, "--db", db)
    assert res.exit_code == 0 and "Alert 'germany' saved" in res.output
    res = _run("alerts", "add", "germany", "--db", db)
    assert res.exit_code == 1 and "Error: there is already an alert named 'germany'" in res.output
    assert "give an http:// or https:// URL" in _run("alerts", "add", "y", "--webhook", "mailto:x", "--db", db).output
    good = feeds.put("/rss", rss([("b1", "Berliner Senat tagt", "Der Senat in Berlin beschloss am Montag den"
                                                               " Haushalt für das kommende Jahr.")]))
    _run("feeds", "add", good, "--db", db)
    _run("feeds", "add", feeds.put("/down", b"", mode="500"), "--db", db)
    res = _run("watch", "--once", "--host-delay", "0", "--retries", "0", "--json", "--db", db)
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.output.splitlines() if x.startswith("{")]
    assert [(x["status"], x["new"]) for x in lines] == [("ok", 1), ("error", 0)]
    assert "HTTP 500" in lines[1]["error"]
    assert "Polled 2 feed(s): 1 new article(s), 0 not modified, 0 unchanged, 1 failed." in res.output
    assert "alerts: 1 new match(es), 1 delivered, 0 failed" in res.output
    assert [b["article"]["title"] for b in hook.bodies] == ["Berliner Senat tagt"]
    listed = _run("feeds", "list", "--db", db).output
    assert "error ×1" in listed and "HTTP 500" in listed

    atom = _run("alerts", "feed", "germany", "--db", db).output
    assert "<title>Berliner Senat tagt</title>" in atom and atom.startswith("<?xml")
    assert '"countries": ["DE"]' in _run("alerts", "list", "--db", db).output
    assert "1 matched; webhook" in _run("alerts", "list", "--db", db).output
    assert _run("alerts", "feed", "nope", "--db", db).exit_code == 1
    assert "Alert 'germany' removed." in _run("alerts", "remove", "germany", "--db", db).output
    assert "Error: no alert named 'germany'" in _run("alerts", "remove", "germany", "--db", db).output


def test_a_feed_failing_for_days_is_marked_in_the_list(tmp_path):
    from datetime import UTC, datetime, timedelta

    from dashboard.store import open_store
    from dashboard.store.feeds import PollResult

    db = f"sqlite:///{tmp_path / 'news.sqlite'}"
    with open_store(db) as store:
        feed = store.add_feed("https://gone.test/rss")
        then = datetime.now(UTC) - timedelta(days=3)
        store.record_poll(feed.id, PollResult("error", then, then, error="HTTP 404 Not Found"))
        store.record_poll(feed.id, PollResult("error", datetime.now(UTC), datetime.now(UTC), error="HTTP 404 Not Found"))
    text = _run("feeds", "list", "--db", db).output
    assert "error ×2, FAILING since 3 d ago" in text and "HTTP 404 Not Found" in text
    listed = json.loads(_run("feeds", "list", "--json", "--db", db).output)
    assert listed["failing"] is True and listed["failures"] == 2
