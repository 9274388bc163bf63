"""Shared OpenAPI bits for the blueprints: security, and the document's own introduction."""

BEARER = [{"bearerAuth": []}]

# info.description: what a client developer must know before reading any one operation.
DESCRIPTION = """\
The contract of the Onward patient app and of the clinic's systems. A walkthrough of the
patient's day with real requests and answers is in the repository's `docs/api.md`.

**Authentication.** `POST /auth/login` (or `/auth/activate` with an invite code) returns an
access token (`expires_in` seconds, 15 minutes by default) and a refresh token. Send
`Authorization: Bearer <access_token>` on every other call. A refresh token works once:
`POST /auth/refresh` swaps it for a new pair; a retry with the same token within a short
grace window (30 s) gets the same new pair, a later reuse ends the whole sign-in.
`POST /auth/logout` takes either the access token or the refresh token alone.

**Errors.** Every 4xx and 5xx is `application/problem+json` (RFC 9457): `type`, `title`,
`status`, `detail` (a sentence you may show), and for 422 `errors`, by location
(`json`, `query`, `headers`, `path`) and field. 400: malformed (JSON that does not parse);
401: not signed in; 403: your role may not call this; 404: no such record, or not yours;
409: a conflict (an Idempotency-Key reused for another body, a session already logged);
413: body too large; 415: the body is not JSON; 422: a field is invalid; 429: too many
attempts (`Retry-After` says when to try again); 503: briefly unavailable, nothing changed.

**Idempotency.** `POST /me/check-ins` (optional) and `POST /me/sessions/{session_id}/log`
(required) take an `Idempotency-Key` header (8-100 of `A-Za-z0-9_.:-`) generated on the
phone when the action is queued: a retry with the same key and body returns the stored
answer and stores nothing twice; the same key with another body is a 409.

**Pagination.** Every list answers `{items, next_cursor}`. Pass `next_cursor` back as
`cursor` for the next page; it is `null` on the last page. `cursor` is opaque (do not build
or parse one); `limit` sets the page size. A cursor that is not from that list is a 422.

**Time zones.** Instants are ISO 8601 with an offset, in UTC (`2026-11-26T09:00:00+00:00`).
Dates (`date`, `performed_on`) are the patient's own local calendar day, in the IANA time
zone of their settings (`PATCH /me/settings`); "today" is the patient's today.

**Offline sync.** The phone may queue check-ins and logs while offline and send them later,
one by one or as a batch to `POST /me/sync` (oldest first, each with its own
Idempotency-Key, each answered on its own). Work older than the offline window (7 days by
default) is refused with a 422 naming the date; tell the physiotherapist instead.

**Caching.** Answers carrying patient data are `Cache-Control: no-store`, except those
with an `ETag` (today's session, the library): `private, no-cache`, so the phone may keep
its own copy and revalidates it with `If-None-Match` (a 304 until it changes). The public
vocabulary is `public, no-cache` with an ETag; media files say their own.
"""


def nullable_ref(_converter, _field, ret: dict, **_kwargs) -> dict:
    """A nullable nested schema as `allOf: [$ref]` + `nullable` rather than apispec's
    `anyOf: [{type: object, nullable}, $ref]`, whose first branch a generated client reads
    as an untyped object (openapi-python-client took every such field as a bare dict)."""
    branches = ret.get("anyOf") or []
    null = {"type": "object", "nullable": True}
    refs = [b for b in branches if b != null]
    if len(branches) == 2 and len(refs) == 1 and "$ref" in refs[0]:
        del ret["anyOf"]
        return {"allOf": refs, "nullable": True}
    return {}
