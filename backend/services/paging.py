"""The one list style: `{items, next_cursor}`, newest first, keyed on (time, id)."""

from __future__ import annotations

from sqlalchemy import or_

from backend.extensions import db


def newest_first(query, at, id_, after: tuple | None, limit: int) -> tuple[list, str | None]:
    """A page of `query` after `(time, id)` of the previous page's last row (None: the first
    page), and the next cursor.

    `at` and `id_` are the row's time and id columns; the cursor is the id of a page's last
    row, so a row added meanwhile never shifts a page (keyset paging, not offsets).
    """
    if after is not None:
        when, last_id = after
        query = query.where(or_(at < when, (at == when) & (id_ < last_id)))
    rows = list(db.session.scalars(query.order_by(at.desc(), id_.desc()).limit(limit + 1)))
    page = rows[:limit]
    return page, (page[-1].id if len(rows) > limit else None)
