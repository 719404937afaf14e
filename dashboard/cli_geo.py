"""CLI commands for the place index, geocoding and geoparsing."""
