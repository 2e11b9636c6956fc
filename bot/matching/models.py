"""Directory tables: organisations, contacts, networks, offers, past procurements, awards, open needs, CPV labels."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base


class Organization(Base):
    """A buyer (contracting authority) or a supplier."""

    __tablename__ = "dir_organizations"

    id: Mapped[str] = mapped_column(sa.String(160), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(500))
    name_key: Mapped[str] = mapped_column(sa.String(500), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    country: Mapped[str | None] = mapped_column(sa.String(2))
    region: Mapped[str | None] = mapped_column(sa.String(160))
    sector: Mapped[str | None] = mapped_column(sa.String(60))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    cpv: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    size: Mapped[str | None] = mapped_column(sa.String(16))
    website: Mapped[str | None] = mapped_column(sa.String(500))
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    national_id: Mapped[str | None] = mapped_column(sa.String(60), index=True)
    source: Mapped[str] = mapped_column(sa.String(40))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime)


class Contact(Base):
    """A contact person of an organisation; shown to users only when ``consent`` is true."""

    __tablename__ = "dir_contacts"

    id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(sa.ForeignKey("dir_organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(300))
    email: Mapped[str | None] = mapped_column(sa.String(300))
    consent: Mapped[bool] = mapped_column(sa.Boolean, default=False)


class Network(Base):
    """A network of buyers and/or suppliers (e.g. a city network or cluster)."""

    __tablename__ = "dir_networks"

    id: Mapped[str] = mapped_column(sa.String(160), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300))


class NetworkMember(Base):
    """Membership of an organisation in a network."""

    __tablename__ = "dir_network_members"

    network_id: Mapped[str] = mapped_column(sa.ForeignKey("dir_networks.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[str] = mapped_column(sa.ForeignKey("dir_organizations.id", ondelete="CASCADE"), primary_key=True)


class Solution(Base):
    """A solution or offer of a supplier."""

    __tablename__ = "dir_solutions"

    id: Mapped[str] = mapped_column(sa.String(160), primary_key=True)
    org_id: Mapped[str] = mapped_column(sa.ForeignKey("dir_organizations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    cpv: Mapped[list[str]] = mapped_column(sa.JSON, default=list)


class OpenNeed(Base):
    """An open need or challenge published by a buyer."""

    __tablename__ = "dir_needs"

    id: Mapped[str] = mapped_column(sa.String(160), primary_key=True)
    buyer_id: Mapped[str] = mapped_column(sa.ForeignKey("dir_organizations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(500))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    cpv: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(20), default="open")


class Procurement(Base):
    """A past procurement (tender, contract award) of a buyer; ``cpv`` lists the main code first."""

    __tablename__ = "dir_procurements"

    id: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    buyer_id: Mapped[str] = mapped_column(sa.ForeignKey("dir_organizations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.Text)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    cpv: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    year: Mapped[int | None] = mapped_column(sa.Integer)
    published: Mapped[str | None] = mapped_column(sa.String(10))
    procedure: Mapped[str | None] = mapped_column(sa.String(200))
    innovation: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    language: Mapped[str | None] = mapped_column(sa.String(2))
    source: Mapped[str] = mapped_column(sa.String(40))


class Award(Base):
    """A supplier that won (part of) a procurement."""

    __tablename__ = "dir_awards"

    procurement_id: Mapped[str] = mapped_column(
        sa.ForeignKey("dir_procurements.id", ondelete="CASCADE"), primary_key=True
    )
    supplier_id: Mapped[str] = mapped_column(
        sa.ForeignKey("dir_organizations.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CpvCode(Base):
    """A CPV 2008 code with its labels in the bot's four languages."""

    __tablename__ = "cpv_codes"

    code: Mapped[str] = mapped_column(sa.String(8), primary_key=True)
    en: Mapped[str | None] = mapped_column(sa.Text)
    da: Mapped[str | None] = mapped_column(sa.Text)
    sv: Mapped[str | None] = mapped_column(sa.Text)
    de: Mapped[str | None] = mapped_column(sa.Text)


class DirectoryMeta(Base):
    """Key/value facts about the directory, e.g. its version (bumped by every import)."""

    __tablename__ = "dir_meta"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(255))
