"""The data set and its store: layers kept by hash, the layers in use, python -m geo.layers."""
