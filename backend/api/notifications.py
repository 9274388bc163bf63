"""The patient's inbox, push-token registration and reminder snooze."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from backend.api.blueprint import Blueprint
from backend.api.docs import BEARER
from backend.schemas.common import Day, Int, StrictSchema, answer, enum, one_of, page_args, page_of
from backend.security import current_actor, require
from backend.services import notifications, reminders
from backend.services.notifications import TOKEN_KINDS

blp = Blueprint(
    "notifications",
    __name__,
    url_prefix="/api/v1/me",
    description="Your notifications, devices and reminders",
)


@answer
class NotificationSchema(ma.Schema):
    id = ma.fields.String()
    kind = ma.fields.String(
        metadata={"description": "check_in_prompt, session_reminder, missed_nudge, ..."}
    )
    title = ma.fields.String()
    body = ma.fields.String()
    date = Day(metadata={"description": "your local date it is about"})
    patient_id = ma.fields.String(allow_none=True)
    data = ma.fields.Dict()
    created_at = ma.fields.DateTime()
    read_at = ma.fields.DateTime(allow_none=True)


InboxSchema = page_of(NotificationSchema, "InboxSchema")
InboxQueryArgsSchema = page_args(20, 100, "InboxQueryArgsSchema")


class DeviceCreateSchema(StrictSchema):
    token = ma.fields.String(
        required=True,
        validate=validate.Length(1, 512),
        metadata={
            "description": "ios: the APNs device token (hex); android: the FCM registration "
            "token; web: the FCM token of the browser's push subscription"
        },
    )
    platform = ma.fields.String(required=True, validate=one_of(tuple(TOKEN_KINDS), "platform"))


class DeviceSchema(ma.Schema):
    id = ma.fields.String(required=True)
    platform = ma.fields.String(required=True, validate=enum(tuple(TOKEN_KINDS)))
    token_kind = ma.fields.String(
        required=True,
        validate=enum(("apns", "fcm")),
        metadata={"description": "the push service the token belongs to (follows the platform)"},
    )
    created_at = ma.fields.DateTime(required=True)


class SnoozeCreateSchema(StrictSchema):
    minutes = Int(required=True, validate=validate.Range(15, 240))


class SnoozeSchema(ma.Schema):
    snoozed_until = ma.fields.DateTime()


@blp.route("/notifications", methods=["GET"])
@blp.doc(security=BEARER)
@require("patient")
@blp.arguments(InboxQueryArgsSchema, location="query")
@blp.response(200, InboxSchema)
@blp.doc(operationId="listNotifications")
def inbox(args):
    """List your notifications.

    Your in-app notifications, newest first; paged with `cursor` and `limit`.
    """
    return notifications.inbox(current_actor(), args["limit"], args.get("cursor"))


@blp.route("/notifications/<notification_id>/read", methods=["POST"])
@blp.doc(security=BEARER)
@require("patient")
@blp.response(200, NotificationSchema)
@blp.doc(operationId="markNotificationRead")
def mark_read(notification_id):
    """Mark a notification read.

    Repeating it changes nothing; another user's notification is a 404.
    """
    return notifications.mark_read(current_actor(), notification_id)


@blp.route("/devices", methods=["POST"])
@blp.doc(security=BEARER)
@require("patient")
@blp.arguments(DeviceCreateSchema)
@blp.response(201, DeviceSchema)
@blp.alt_response(200, schema=DeviceSchema, description="this token was already registered")
@blp.doc(operationId="registerDevice")
def register_device(body):
    """Register this phone for push.

    Register this install's push token (APNs for ios, FCM for android and web); registering the same
    token again is harmless and answers 200.
    """
    device, created = notifications.register_device(
        current_actor(), body["token"], body["platform"]
    )
    return device, 201 if created else 200


@blp.route("/devices/<device_id>", methods=["DELETE"])
@blp.doc(security=BEARER)
@require("patient")
@blp.response(204)
@blp.doc(operationId="removeDevice")
def remove_device(device_id):
    """Stop pushes to a device.

    Call it on sign-out or when the user turns pushes off; another user's device, or one already
    removed, is a 404.
    """
    notifications.remove_device(current_actor(), device_id)


@blp.route("/reminders/snooze", methods=["POST"])
@blp.doc(security=BEARER)
@require("patient")
@blp.arguments(SnoozeCreateSchema)
@blp.response(200, SnoozeSchema)
@blp.doc(operationId="snoozeReminders")
def snooze(body):
    """Snooze reminders.

    Pause reminders for 15 to 240 minutes; today's reminder comes after, if still due.
    """
    return reminders.snooze(current_actor(), body["minutes"])
