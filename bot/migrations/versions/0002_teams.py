"""Teams: conversation references for proactive messages (broker pushes, digests, late answers).

Revision ID: 0002_teams
Revises: 0001_base
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_teams"
down_revision = "0001_base"
branch_labels = ("teams",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams_conversations",
        sa.Column("conversation_id", sa.String(512), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("team_id", sa.String(512)),
        sa.Column("user_id", sa.String(128)),
        sa.Column("name", sa.String(200)),
        sa.Column("service_url", sa.String(1000), nullable=False),
        sa.Column("reference", sa.JSON, nullable=False),
        sa.Column("claims", sa.JSON, nullable=False),
        sa.Column("installed", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_teams_conversations_team", "teams_conversations", ["tenant_id", "team_id"])


def downgrade() -> None:
    op.drop_table("teams_conversations")
