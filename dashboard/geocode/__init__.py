"""geopy-style geocoders: the offline gazetteer, the optional online fallback, its cache."""

from dashboard.geocode.cache import GeocodeCache, default_cache_path
from dashboard.geocode.chain import FallbackGeocoder
from dashboard.geocode.online import SERVICES, OnlineGeocoder, make_online_geocoder, translate_error

__all__ = [
    "SERVICES",
    "FallbackGeocoder",
    "GeocodeCache",
    "OnlineGeocoder",
    "default_cache_path",
    "make_online_geocoder",
    "translate_error",
]
