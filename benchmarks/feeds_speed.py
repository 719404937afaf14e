"""Feed polling speed: feeds per minute and the cost of an unchanged feed, against local feed servers.

    python benchmarks/feeds_speed.py                      # 120 feeds of 20 items on 4 local "hosts"
    python benchmarks/feeds_speed.py --feeds 300 --items 30 --rounds 3

Each round polls every feed four ways, side by side in the same process and
store, so the ratios hold on a shared machine where absolute times drift:

* ``new``        the first poll: every item is new (fetch, parse, geoparse, tag, store);
* ``304``        the server honours the ETag: a conditional GET answered 304;
* ``same-200``   no validators, byte-identical body: fetched, hashed, not parsed;
* ``rebuilt-200`` no validators, same items, a new ``lastBuildDate``: parsed, every
  item's content hash found in the store, nothing geoparsed.

The poller's per-host delay is 0 here (local servers); with the default 1 s,
one host is polled at most 60 times a minute, and feeds on other hosts wait
their turn in one poller (a second ``watch`` process shares the work).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "live"))
from feed_server import rss, running  # noqa: E402

from dashboard.live.poller import Poller, PollerOptions  # noqa: E402
from dashboard.store import open_store  # noqa: E402

CITIES = ["Berlin", "Nairobi", "Lima", "Osaka", "Kazan", "Porto", "Accra", "Hanoi", "Quito", "Perth", "Tunis",
          "Riga", "Dakar", "Cusco", "Izmir", "Leeds"]


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _items(feed: int, n: int, rnd: int) -> list[tuple[str, str, str]]:
    out = []
    for i in range(n):
        city = CITIES[(feed + i) % len(CITIES)]
        out.append((f"r{rnd}-f{feed}-{i}", f"Council in {city} votes on budget {rnd}-{feed}-{i}",
                    f"{city.upper()}: The city council of {city} voted on Tuesday on the budget for next year,"
                    f" item {rnd}-{feed}-{i}; officials said the debate about schools and transport would go on."))
    return out


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC) + timedelta(seconds=5)

    def __call__(self) -> datetime:
        return self.now


def _poll_round(kind: str, rnd: int, poller: Poller, clock: Clock, feeds: int,
                results: dict[str, list[tuple[float, float]]]) -> None:
    """Make every feed due, poll them all once, and record wall and CPU time per feed."""
    clock.now += timedelta(seconds=61)
    t, c = time.perf_counter(), _cpu()
    outcomes = poller.poll_due()
    wall, cpu = time.perf_counter() - t, _cpu() - c
    if len(outcomes) != feeds:
        raise SystemExit(f"{kind}: polled {len(outcomes)} of {feeds} feeds")
    statuses = {o.status for o in outcomes}
    new = sum(o.new for o in outcomes)
    results[kind].append((wall / feeds, cpu / feeds))
    print(f"round {rnd + 1} {kind:>11}: {feeds / wall * 60:>8,.0f} feeds/min, "
          f"{wall / feeds * 1000:7.2f} ms wall, {cpu / feeds * 1000:7.2f} ms CPU per feed"
          f" ({new} new, status {','.join(sorted(statuses))})", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=120)
    ap.add_argument("--items", type=int, default=20)
    ap.add_argument("--hosts", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()

    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        servers = [stack.enter_context(running()) for _ in range(args.hosts)]
        results: dict[str, list[tuple[float, float]]] = {k: [] for k in ("new", "304", "same-200", "rebuilt-200")}
        for rnd in range(args.rounds):
            store = stack.enter_context(open_store(f"sqlite:///{Path(tmp) / f'news{rnd}.sqlite'}"))
            clock = Clock()
            poller = Poller(store, options=PollerOptions(timeout=10, retries=0, host_delay=0.0), clock=clock)
            paths = []
            for f in range(args.feeds):
                srv = servers[f % args.hosts]
                path = f"/r{rnd}/f{f}"
                paths.append((srv, path))
                store.add_feed(srv.put(path, rss(_items(f, args.items, rnd))), interval_s=60)
            if rnd == 0:
                poller._ingestor(None)  # load the geoparser and tagger outside the timed part

            def timed(kind: str, rnd: int = rnd, poller: Poller = poller, clock: Clock = clock) -> None:
                _poll_round(kind, rnd, poller, clock, args.feeds, results)

            timed("new")
            timed("304")
            for f, (srv, path) in enumerate(paths):  # the same items, no validators, a new lastBuildDate
                srv.put(path, rss(_items(f, args.items, rnd), build=f"round {rnd}"), validators=False)
            timed("rebuilt-200")
            timed("same-200")  # the body is now byte-identical to the last one seen
            poller.close()

        print(f"\n{args.feeds} feeds x {args.items} items on {args.hosts} local hosts, best of {args.rounds} round(s):")
        base = min(w for w, _ in results["new"])
        for kind, rows in results.items():
            wall = min(w for w, _ in rows)
            cpu = min(c for _, c in rows)
            print(f"  {kind:>11}: {60 / wall:>8,.0f} feeds/min  {wall * 1000:7.2f} ms wall  {cpu * 1000:7.2f} ms CPU"
                  f"  {wall / base:6.3f} x the cost of a feed of new items")


if __name__ == "__main__":
    main()
