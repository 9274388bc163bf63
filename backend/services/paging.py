"""The one list style: `{items, next_cursor}`, keyed on a row's sort columns (architecture 41).

The cursor is the id of a page's last row: opaque to clients, and resolved through the same
filtered query, so a cursor from another list, patient or clinic is a 422, never a leak.
Keyset paging, so a row added meanwhile never shifts a page.
"""

from __future__ import annotations

from sqlalchemy import and_, or_

from backend.errors import Invalid
from backend.extensions import db


def unknown_cursor() -> Invalid:
    return Invalid("Unknown cursor.", {"query": {"cursor": ["Not a cursor from this list."]}})


def page(items: list, next_cursor: str | None) -> dict:
    return {"items": items, "next_cursor": next_cursor}


def keyset(query, order: list[tuple], id_column, cursor: str | None, limit: int):
    """Rows of `query` (a select whose first entity has the `id`) in `order`, a list of
    (expression, descending) ending with `id_column`, after the row whose id is `cursor`; and
    the next cursor (None on the last page). The cursor row's sort values are read through
    `query` itself, so only a row of this very list is a cursor. Directions may be mixed.
    """
    if cursor:
        found = db.session.execute(
            query.with_only_columns(*(e for e, _ in order)).where(id_column == cursor)
        ).first()
        if found is None:
            raise unknown_cursor()
        query = query.where(_after(order, tuple(found)))
    ordered = query.order_by(*(e.desc() if d else e.asc() for e, d in order)).limit(limit + 1)
    rows = db.session.execute(ordered).all()
    shown = rows[:limit]
    return shown, (shown[-1][0].id if len(rows) > limit else None)


def _after(order: list[tuple], values: tuple):
    """Rows strictly after `values` in `order`: (a > x) or (a = x and b > y) or ..., each
    comparison turned round for a descending column."""
    clauses = []
    for i, (expression, descending) in enumerate(order):
        equal = [e == v for (e, _), v in zip(order[:i], values[:i], strict=True)]
        beyond = expression < values[i] if descending else expression > values[i]
        clauses.append(and_(*equal, beyond))
    return or_(*clauses)


def after_in(entries: list[dict], cursor: str | None, limit: int) -> dict:
    """A page of a list already ordered in Python (the caseload's urgency), after the entry
    whose id is `cursor`."""
    start = 0
    if cursor:
        ids = [e["id"] for e in entries]
        if cursor not in ids:
            raise unknown_cursor()
        start = ids.index(cursor) + 1
    shown = entries[start : start + limit]
    more = start + limit < len(entries)
    return page(shown, shown[-1]["id"] if more else None)
