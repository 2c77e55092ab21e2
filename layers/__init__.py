"""Declarative map layers and the single folium builder."""
