"""Matching directory: organisations, contacts, networks, solutions, open needs, procurements, awards, CPV labels.

Revision ID: 0002_matching_directory
Revises: 0001_base
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_matching_directory"
down_revision = "0001_base"
branch_labels = ("matching",)
depends_on = None

_ORG_FK = "dir_organizations.id"


def upgrade() -> None:
    op.create_table(
        "dir_organizations",
        sa.Column("id", sa.String(160), primary_key=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("name_key", sa.String(500), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("country", sa.String(2)),
        sa.Column("region", sa.String(160)),
        sa.Column("sector", sa.String(60)),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("cpv", sa.JSON, nullable=False),
        sa.Column("size", sa.String(16)),
        sa.Column("website", sa.String(500)),
        sa.Column("languages", sa.JSON, nullable=False),
        sa.Column("national_id", sa.String(60), index=True),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "dir_contacts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("org_id", sa.String(160), sa.ForeignKey(_ORG_FK, ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("email", sa.String(300)),
        sa.Column("consent", sa.Boolean, nullable=False),
    )
    op.create_table(
        "dir_networks",
        sa.Column("id", sa.String(160), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
    )
    op.create_table(
        "dir_network_members",
        sa.Column("network_id", sa.String(160), sa.ForeignKey("dir_networks.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("org_id", sa.String(160), sa.ForeignKey(_ORG_FK, ondelete="CASCADE"), primary_key=True),
    )
    op.create_table(
        "dir_solutions",
        sa.Column("id", sa.String(160), primary_key=True),
        sa.Column("org_id", sa.String(160), sa.ForeignKey(_ORG_FK, ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("cpv", sa.JSON, nullable=False),
    )
    op.create_table(
        "dir_needs",
        sa.Column("id", sa.String(160), primary_key=True),
        sa.Column("buyer_id", sa.String(160), sa.ForeignKey(_ORG_FK, ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("cpv", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
    )
    op.create_table(
        "dir_procurements",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("buyer_id", sa.String(160), sa.ForeignKey(_ORG_FK, ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("cpv", sa.JSON, nullable=False),
        sa.Column("year", sa.Integer),
        sa.Column("published", sa.String(10)),
        sa.Column("procedure", sa.String(200)),
        sa.Column("innovation", sa.Boolean, nullable=False),
        sa.Column("language", sa.String(2)),
        sa.Column("source", sa.String(40), nullable=False),
    )
    op.create_table(
        "dir_awards",
        sa.Column("procurement_id", sa.String(200), sa.ForeignKey("dir_procurements.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("supplier_id", sa.String(160), sa.ForeignKey(_ORG_FK, ondelete="CASCADE"), primary_key=True,
                  index=True),
    )
    op.create_table(
        "cpv_codes",
        sa.Column("code", sa.String(8), primary_key=True),
        sa.Column("en", sa.Text),
        sa.Column("da", sa.Text),
        sa.Column("sv", sa.Text),
        sa.Column("de", sa.Text),
    )
    op.create_table(
        "dir_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(255), nullable=False),
    )


def downgrade() -> None:
    for table in ("dir_meta", "cpv_codes", "dir_awards", "dir_procurements", "dir_needs", "dir_solutions",
                  "dir_network_members", "dir_networks", "dir_contacts", "dir_organizations"):
        op.drop_table(table)
