"""OpenStreetMap: download and import, the cache, its layers, entrances, the walk graph, jobs."""
