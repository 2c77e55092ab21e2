"""Pure planning metrics on GeoDataFrames (no I/O, no UI imports)."""
