"""Data access, coordinate systems and geometry hygiene (no UI imports)."""
