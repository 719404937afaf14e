"""``export``: the filtered store as CSV (one mention per row), GeoJSON (one feature per place)
or JSON Lines (one article per line with its mentions), written to any text stream.

Everything goes through the same query layer as the dashboard, so an export
shows exactly what the map shows for the same filters.
"""

from __future__ import annotations

import csv
import json
from typing import IO

from dashboard.errors import InputError
from dashboard.models import Filters
from dashboard.store import Store

FORMATS = ("csv", "geojson", "jsonl")


def export(store: Store, filters: Filters, fmt: str, out: IO[str], *, limit: int | None = None) -> int:
    """Write the export and return how many rows/features/articles it has."""
    if fmt == "csv":
        return write_csv(store, filters, out, limit=limit)
    if fmt == "geojson":
        return write_geojson(store, filters, out, limit=limit)
    if fmt == "jsonl":
        return write_jsonl(store, filters, out, limit=limit)
    raise InputError(f"unknown export format {fmt!r}: use {', '.join(FORMATS)}")


def write_csv(store: Store, filters: Filters, out: IO[str], *, limit: int | None = None) -> int:
    writer: csv.DictWriter[str] | None = None
    n = 0
    for row in store.iter_mentions(filters):
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
            writer.writeheader()
        writer.writerow(row)
        n += 1
        if limit is not None and n >= limit:
            break
    if writer is None:
        out.write("article_id,title,author,published,date_source,source,url,lang,surface,start,end,role,score,"
                  "place_id,place_name,kind,lat,lon,country_code,admin1_code\n")
    return n


def write_geojson(store: Store, filters: Filters, out: IO[str], *, limit: int | None = None) -> int:
    features = []
    for s in store.place_summaries(filters, limit=limit or 1_000_000):
        p = s.place
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
            "properties": {
                "id": p.id, "name": p.name, "kind": p.kind, "country_code": p.country_code,
                "admin1_code": p.admin1_code, "geonameid": p.geonameid, "articles": s.articles,
                "mentions": s.mentions, "score": round(s.score, 4), "surfaces": list(s.surfaces),
                "headlines": list(s.headlines),
            },
        })
    json.dump({"type": "FeatureCollection", "features": features}, out, ensure_ascii=False)
    out.write("\n")
    return len(features)


def write_jsonl(store: Store, filters: Filters, out: IO[str], *, limit: int | None = None) -> int:
    n = 0
    for row in store.iter_articles(filters):
        full = store.article(row.id)
        if full is None:  # deleted while exporting
            continue
        out.write(json.dumps(full.to_dict(), ensure_ascii=False) + "\n")
        n += 1
        if limit is not None and n >= limit:
            break
    return n
