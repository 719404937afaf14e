"""The offline place index (gazetteer): built from installed packages, queried in memory."""

from dashboard.gazetteer.build import INDEX_VERSION, BuildReport, build_index, is_stale
from dashboard.gazetteer.index import PlaceIndex, ensure_index, load_index


def region_members(region_id: str) -> set[str]:
    """ISO alpha-2 codes of the countries in a continent or region id (``"region:un-143"``)."""
    return set(load_index().region_members(region_id))


__all__ = ["INDEX_VERSION", "BuildReport", "PlaceIndex", "build_index", "ensure_index", "is_stale",
           "load_index", "region_members"]
