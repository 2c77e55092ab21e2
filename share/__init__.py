"""Snapshots: saved views with their figures, permalinks, map sheets and exports."""
