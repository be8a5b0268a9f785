"""Declarative base and the column types the models share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import JSON, DateTime, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current UTC time without tzinfo (how every timestamp is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


IntPK = Annotated[int, mapped_column(Integer, primary_key=True, autoincrement=True)]
Name = Annotated[str, mapped_column(String(100))]
Level = Annotated[str, mapped_column(String(20))]
LongText = Annotated[str | None, mapped_column(Text)]
Created = Annotated[datetime, mapped_column(DateTime, default=utcnow)]
Timestamp = Annotated[datetime | None, mapped_column(DateTime)]
JsonValue = Annotated[Any, mapped_column(JSON, nullable=True)]


class Base(DeclarativeBase):
    """Base class of every model."""

    metadata = MetaData(naming_convention=NAMING)
