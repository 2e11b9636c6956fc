"""Broker workflows: pushes, challenges, interest, digests, locks; intro follow-up and member profile columns.

Extends ``conv_feedback`` (intro requests get a status and who handled them) and ``conv_profiles`` (interests,
current needs, consent to be contacted) of the conversations branch rather than duplicating them.

Revision ID: 0002_workflows
Revises: 0001_base
Depends on: 0002_conversations
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_workflows"
down_revision = "0001_base"
branch_labels = ("workflows",)
depends_on = ("0002_conversations",)

_TURN_FK = "conv_turns.id"


def _place() -> list[sa.Column]:
    return [
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(200), nullable=False),
        sa.Column("channel_name", sa.String(200)),
    ]


def upgrade() -> None:
    with op.batch_alter_table("conv_feedback") as batch:
        batch.add_column(sa.Column("status", sa.String(16)))
        batch.add_column(sa.Column("handled_by", sa.String(200)))
        batch.add_column(sa.Column("handled_at", sa.DateTime))
        batch.add_column(sa.Column("note", sa.Text))
    with op.batch_alter_table("conv_profiles") as batch:
        batch.add_column(sa.Column("interests", sa.Text))
        batch.add_column(sa.Column("needs", sa.Text))
        batch.add_column(sa.Column("consent", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("consent_at", sa.DateTime))
    op.create_table(
        "wf_pushes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *_place(),
        sa.Column("need", sa.Text, nullable=False),
        sa.Column("need_key", sa.String(500), nullable=False),
        sa.Column("suggestion_key", sa.String(64)),
        sa.Column("suggestions", sa.JSON, nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("turn_id", sa.Integer, sa.ForeignKey(_TURN_FK, ondelete="SET NULL")),
        sa.Column("user_id", sa.String(200), nullable=False),
        sa.Column("user_email", sa.String(300)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.String(200)),
        sa.Column("message_ref", sa.String(200)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime),
    )
    op.create_index("ix_wf_pushes_channel", "wf_pushes", ["platform", "workspace", "channel", "created_at"])
    op.create_table(
        "wf_challenges",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *_place(),
        sa.Column("user_id", sa.String(200), nullable=False),
        sa.Column("user_email", sa.String(300)),
        sa.Column("organisation", sa.String(200)),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("need", sa.Text, nullable=False),
        sa.Column("timeline", sa.String(300), nullable=False),
        sa.Column("budget_min", sa.BigInteger),
        sa.Column("budget_max", sa.BigInteger),
        sa.Column("currency", sa.String(3)),
        sa.Column("cpv", sa.JSON, nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("turn_id", sa.Integer, sa.ForeignKey(_TURN_FK, ondelete="SET NULL")),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.String(200)),
        sa.Column("message_ref", sa.String(200)),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_wf_challenges_channel", "wf_challenges", ["platform", "workspace", "channel", "created_at"])
    op.create_table(
        "wf_interests",
        sa.Column("challenge_id", sa.Integer, sa.ForeignKey("wf_challenges.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("workspace", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(200), primary_key=True),
        sa.Column("organisation", sa.String(200)),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "wf_digests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *_place(),
        sa.Column("since", sa.DateTime, nullable=False),
        sa.Column("until", sa.DateTime, nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
        sa.Column("message_ref", sa.String(200)),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "wf_locks",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("touched_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("wf_locks", "wf_digests", "wf_interests", "wf_challenges", "wf_pushes"):
        op.drop_table(table)
    with op.batch_alter_table("conv_profiles") as batch:
        for column in ("consent_at", "consent", "needs", "interests"):
            batch.drop_column(column)
    with op.batch_alter_table("conv_feedback") as batch:
        for column in ("note", "handled_at", "handled_by", "status"):
            batch.drop_column(column)
