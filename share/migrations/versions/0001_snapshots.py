"""Snapshots, the uploaded layers they need, and their rendered artefacts.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the three tables."""
    op.create_table(
        "snapshots",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("page", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("author", sa.String(100), nullable=False, server_default=""),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("dataset_version", sa.String(64), nullable=False),
        sa.Column("delete_hash", sa.String(64), nullable=False),
        sa.Column("thumbnail", sa.String(64), nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_index("ix_snapshots_created_at", "snapshots", ["created_at"])
    op.create_table(
        "snapshot_layers",
        sa.Column(
            "snapshot_id",
            sa.String(64),
            sa.ForeignKey("snapshots.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("kind", sa.String(40), primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_snapshot_layers_content_hash", "snapshot_layers", ["content_hash"])
    op.create_table(
        "artefacts",
        sa.Column(
            "snapshot_id",
            sa.String(64),
            sa.ForeignKey("snapshots.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("n_bytes", sa.Integer, nullable=False),
    )
    op.create_index("ix_artefacts_content_hash", "artefacts", ["content_hash"])


def downgrade() -> None:
    """Drop the three tables."""
    op.drop_table("artefacts")
    op.drop_table("snapshot_layers")
    op.drop_table("snapshots")
