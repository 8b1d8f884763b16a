"""Limit/offset pagination for the API, bounded so that the database can take the numbers."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

# Larger numbers overflow SQLite's and PostgreSQL's 64-bit LIMIT/OFFSET (a server error);
# they are now refused with 422 like any other invalid parameter.
MAX_NUMBER = 2**31 - 1


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_NUMBER)
        offset: int = Field(0, ge=0, le=MAX_NUMBER)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_NUMBER, **kwargs)
