"""The one list style: `{items, next_cursor}`, newest first, keyed on a row's sort columns."""

from __future__ import annotations

from sqlalchemy import tuple_

from backend.extensions import db


def newest_first(query, columns: tuple, after: tuple | None, limit: int) -> tuple[list, str | None]:
    """A page of `query` sorted by `columns` descending (the last one the id), after the
    values `after` of the previous page's last row (None: the first page), and the next
    cursor: the id of this page's last row. Keyset paging, so a row added meanwhile never
    shifts a page.
    """
    if after is not None:
        query = query.where(tuple_(*columns) < tuple_(*after))
    rows = list(db.session.scalars(query.order_by(*(c.desc() for c in columns)).limit(limit + 1)))
    page = rows[:limit]
    return page, (page[-1].id if len(rows) > limit else None)
