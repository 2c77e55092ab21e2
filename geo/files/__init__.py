"""Reading planners' files: formats, archive safety, coordinate systems, the column schema."""

__all__: list[str] = []
