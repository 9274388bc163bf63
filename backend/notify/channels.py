"""Delivery channels behind one interface: `send(message) -> DeliveryResult`.

A channel never raises for a delivery problem: it reports it, and the dispatcher decides
about retries. `retry=False` marks a failure no retry can fix (no address, not configured).
"""

from __future__ import annotations

import json
import smtplib
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

from backend import clock
from backend.notify import setting, signing


@dataclass(frozen=True)
class Message:
    """What a channel needs to deliver one notification row."""

    id: str
    kind: str
    channel: str
    title: str
    body: str
    local_date: date
    created_at: datetime
    email: str | None = None  # the recipient's address (user or on-call)
    tokens: tuple[str, ...] = ()  # the recipient's push tokens
    patient_id: str | None = None
    clinic_id: str | None = None
    data: Mapping = field(default_factory=dict)

    def payload(self) -> dict:
        """The JSON a machine receiver gets (no free-text clinical detail beyond the title)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "title": self.title,
            "body": self.body,
            "patient_id": self.patient_id,
            "local_date": self.local_date.isoformat(),
            "created_at": self.created_at.isoformat(),
            "data": dict(self.data),
        }


@dataclass(frozen=True)
class DeliveryResult:
    state: str  # delivered | sent | failed
    detail: str = ""
    retry: bool = True

    @property
    def ok(self) -> bool:
        return self.state in ("delivered", "sent")


def failed(detail: str, retry: bool = True) -> DeliveryResult:
    return DeliveryResult("failed", detail[:500], retry)


class Channel(Protocol):
    name: str

    def send(self, message: Message) -> DeliveryResult: ...


class InAppChannel:
    """The inbox is the notifications table itself: the row exists, so it is delivered.

    New in-app rows are therefore inserted as delivered; this channel only completes a row
    that was queued as scheduled."""

    name = "in_app"

    def send(self, message: Message) -> DeliveryResult:
        return DeliveryResult("delivered", "in inbox")


class EmailChannel:
    """Plain-text e-mail over SMTP, one connection per batch (opened at the first message,
    closed by `close()`). The Message-ID derives from the row id, so a resend after a crash
    carries the same id and receivers can fold the duplicate."""

    name = "email"

    def __init__(
        self, host, port, sender, starttls=False, username=None, password=None, timeout=10.0
    ):
        self.host, self.port, self.sender = host, port, sender
        self.starttls, self.username, self.password = starttls, username, password
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            try:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password or "")
            except BaseException:
                smtp.close()
                raise
            self._smtp = smtp
        return self._smtp

    def close(self) -> None:
        """End the batch's connection politely (QUIT); a dead one is just dropped."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def _deliver(self, mail: EmailMessage) -> None:
        try:
            self._connection().send_message(mail)
        except smtplib.SMTPServerDisconnected:
            # The relay dropped our idle connection (it does so before reading a command):
            # connect again, once.
            self._smtp = None
            self._connection().send_message(mail)

    def send(self, message: Message) -> DeliveryResult:
        if not message.email:
            return failed("no e-mail address", retry=False)
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.email
        mail["Subject"] = message.title
        mail["Date"] = format_datetime(clock.now())
        mail["Message-ID"] = message_id(message.id)
        mail.set_content(message.body)
        try:
            self._deliver(mail)
        except smtplib.SMTPRecipientsRefused as error:
            return failed(f"recipient refused: {len(error.recipients)} address(es)", retry=False)
        except (smtplib.SMTPException, OSError) as error:
            self.close()  # start the next message on a fresh connection
            return failed(f"smtp: {error.__class__.__name__}: {error}")
        return DeliveryResult("sent", f"accepted by {self.host}:{self.port}")


def message_id(notification_id: str) -> str:
    """The e-mail's Message-ID: the same for every attempt of one notification."""
    return f"<{notification_id}@notifications.onward>"


LOOPBACK = ("localhost", "127.0.0.1", "::1")


def post_json(url: str, body: bytes, headers: dict, timeout: float) -> tuple[int, str]:
    """POST and return (status, short reason); network errors become status 0."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
        # Patient data never crosses a network in clear text; plain http only on this host.
        return 0, f"refused: {parts.scheme}:// to {parts.hostname} (use https)"
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured URL
            return response.status, response.reason
    except urllib.error.HTTPError as error:
        return error.code, error.reason
    except (urllib.error.URLError, OSError) as error:
        return 0, f"{error.__class__.__name__}: {getattr(error, 'reason', error)}"


class WebhookChannel:
    """Signed JSON POST into a clinic's system (see backend.notify.signing)."""

    name = "webhook"

    def __init__(self, target_for: Callable[[str | None], tuple[str, str] | None], timeout=10.0):
        self.target_for = target_for  # clinic id -> (url, secret) or None
        self.timeout = timeout

    def send(self, message: Message) -> DeliveryResult:
        target = self.target_for(message.clinic_id)
        if target is None:
            return failed("no webhook configured for this clinic", retry=False)
        url, secret = target
        body = json.dumps(message.payload(), separators=(",", ":"), sort_keys=True).encode()
        timestamp = str(int(clock.now().timestamp()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Onward-Webhook/1",
            "X-Onward-Event": message.kind,
            # Receivers deduplicate on this: a resend after a crash has the same id.
            "X-Onward-Delivery": message.id,
            "X-Onward-Timestamp": timestamp,
            "X-Onward-Signature": signing.signature(secret, timestamp, body),
        }
        status, reason = post_json(url, body, headers, self.timeout)
        if 200 <= status < 300:
            return DeliveryResult("delivered", f"HTTP {status}")
        return failed(f"HTTP {status} {reason}" if status else reason)


class PushChannel:
    """Push through a gateway service (FCM/APNs/Web Push live behind it).

    Contract: POST {tokens, title, body, data} with a bearer token; any 2xx means the gateway
    accepted the message for its push services.
    """

    name = "push"

    def __init__(self, gateway_url: str | None, token: str | None, timeout=10.0):
        self.gateway_url, self.token, self.timeout = gateway_url, token, timeout

    def send(self, message: Message) -> DeliveryResult:
        if not self.gateway_url:
            return failed("no push gateway configured", retry=False)
        if not message.tokens:
            return failed("no registered device", retry=False)
        body = json.dumps(
            {
                "tokens": list(message.tokens),
                "title": message.title,
                "body": message.body,
                "data": {"notification_id": message.id, "kind": message.kind},
            }
        ).encode()
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        status, reason = post_json(self.gateway_url, body, headers, self.timeout)
        if 200 <= status < 300:
            return DeliveryResult("sent", f"gateway HTTP {status}")
        return failed(f"gateway HTTP {status} {reason}" if status else reason)


def webhook_target(clinic_id: str | None) -> tuple[str, str] | None:
    """The clinic's own receiver if configured, else the deployment-wide one, else None."""
    own = (setting("WEBHOOK_CLINICS") or {}).get(clinic_id or "")
    if own and own.get("url") and own.get("secret"):
        return own["url"], own["secret"]
    if setting("WEBHOOK_URL") and setting("WEBHOOK_SECRET"):
        return setting("WEBHOOK_URL"), setting("WEBHOOK_SECRET")
    return None


def build_channels() -> dict[str, Channel]:
    """The channels configured for the current app."""
    return {
        "in_app": InAppChannel(),
        "email": EmailChannel(
            setting("SMTP_HOST"),
            setting("SMTP_PORT"),
            setting("SMTP_FROM"),
            starttls=setting("SMTP_STARTTLS"),
            username=setting("SMTP_USERNAME"),
            password=setting("SMTP_PASSWORD"),
            timeout=setting("SMTP_TIMEOUT"),
        ),
        "webhook": WebhookChannel(webhook_target, timeout=setting("WEBHOOK_TIMEOUT")),
        "push": PushChannel(
            setting("PUSH_GATEWAY_URL"), setting("PUSH_GATEWAY_TOKEN"), setting("PUSH_TIMEOUT")
        ),
    }
