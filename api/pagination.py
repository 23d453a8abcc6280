"""Stable cursors for the API's lists (docs/api.md "Lists"): a page is the rows after
the last one of the page before, by primary key, so rows added meanwhile never shift a
page or repeat a row. The cursor is opaque to the client: `next` in each page, null on
the last."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Annotated, Any

from django.db.models import QuerySet
from ninja import Query
from ninja.errors import HttpError

DEFAULT_LIMIT = 50
MOST = 200
BAD_CURSOR = "cursor: use the `next` value of the page before, as it was given."

# A list endpoint's parameters: `cursor: Cursor = ""`, `limit: Limit = DEFAULT_LIMIT`.
Cursor = Annotated[str, Query(max_length=60, description="The `next` of the page before")]
Limit = Annotated[int, Query(ge=1, le=MOST, description=f"Rows a page, 1 to {MOST}")]


def _encode(pk: int) -> str:
    return base64.urlsafe_b64encode(f"after:{pk}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise HttpError(400, BAD_CURSOR) from exc
    label, _, number = text.partition(":")
    if label != "after" or not number.isdigit() or len(number) > 18:
        raise HttpError(400, BAD_CURSOR)
    return int(number)


def cursor_page(rows: QuerySet[Any], cursor: str, limit: int) -> dict[str, Any]:
    """One page of `rows`: {"results": up to `limit` rows, "next": the next cursor}, in
    one query."""
    page = list(rows.filter(pk__gt=_decode(cursor)).order_by("pk")[: limit + 1])
    return _page(page, limit, lambda row: row["pk"] if isinstance(row, dict) else row.pk)


def cursor_list(rows: list[Any], key: Callable[[Any], int], cursor: str, limit: int) -> dict:
    """A page of a list already read (by a selector that reads it whole), ordered by
    `key`, a row's unique whole number: the same cursors as `cursor_page`."""
    after = _decode(cursor)
    page = sorted((row for row in rows if key(row) > after), key=key)[: limit + 1]
    return _page(page, limit, key)


def _page(page: list[Any], limit: int, key: Callable[[Any], int]) -> dict[str, Any]:
    more = len(page) > limit
    page = page[:limit]
    return {"results": page, "next": _encode(key(page[-1])) if more else None}
