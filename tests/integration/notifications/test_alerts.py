"""Red flags reach the clinicians at once and escalate to on-call exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend import clock
from backend.scheduler import alerts_escalate
from backend.security import Actor
from backend.services import alerts
from backend.services.notifications import inbox
from tests import factories
from tests.integration.notifications.builders import (
    acknowledge,
    alert_row,
    clinic_with_patients,
    count,
    notifications,
    open_alert,
)

notify_red_flag = factories.in_app(alerts.notify_red_flag)
escalate = factories.in_app(alerts.escalate_unacknowledged)
escalation_job = factories.in_app(alerts_escalate)


@factories.in_app
def clinician_inbox(world) -> list[dict]:
    actor = Actor(user_id=world["physio_id"], role="clinician", clinic_id=world["clinic_id"])
    return inbox(actor)["items"]


@pytest.fixture
def world(client):
    return clinic_with_patients(client, 1)


def on_call(world) -> str:
    return factories.in_app(_on_call)(world["clinic_id"])


def _on_call(clinic_id):
    from backend.extensions import db
    from backend.models import Clinic

    return db.session.get(Clinic, clinic_id).on_call_email


def test_a_red_flag_reaches_the_clinicians_at_once(world, smtp, webhook):
    patient = world["patients"][0]["id"]
    alert_id = open_alert(patient)
    notify_red_flag(alert_id)  # no dispatcher run needed
    (item,) = clinician_inbox(world)
    assert item["kind"] == "red_flag" and item["patient_id"] == patient
    assert "Chest pain" in item["body"] and item["data"]["alert_id"] == alert_id
    (mail,) = smtp.to(world["physio"])
    assert mail["Subject"] == "Onward: a red flag needs your review"
    assert "Chest pain" not in mail.get_content()  # no clinical detail in e-mail
    (hook,) = webhook.accepted
    assert hook["json"]["data"]["alert_id"] == alert_id
    notify_red_flag(alert_id)  # repeated: nothing new
    assert len(smtp.messages) == 1 and len(clinician_inbox(world)) == 1


def test_unacknowledged_red_flag_escalates_to_on_call_after_the_configured_minutes_once(
    world, smtp, app
):
    assert app.config["ALERT_ESCALATION_MINUTES"] == 30
    alert_id = open_alert(world["patients"][0]["id"])
    notify_red_flag(alert_id)
    opened = clock.now()
    for minute in range(0, 30):
        escalate(opened + timedelta(minutes=minute))
    assert smtp.to(on_call(world)) == []
    assert alert_row(alert_id)["escalated_at"] is None
    with clock.frozen(opened + timedelta(minutes=30)):
        escalation_job(clock.now())
    (mail,) = smtp.to(on_call(world))
    assert mail["Subject"] == "Onward: unacknowledged red flag"
    assert alert_id in mail.get_content()
    assert alert_row(alert_id)["escalated_at"] == opened + timedelta(minutes=30)
    for minute in range(31, 120, 7):
        with clock.frozen(opened + timedelta(minutes=minute)):
            escalation_job(clock.now())
    assert len(smtp.to(on_call(world))) == 1
    assert alert_row(alert_id)["escalated_at"] == opened + timedelta(minutes=30)  # once


def test_the_escalation_delay_is_configurable(world, smtp, app, monkeypatch):
    monkeypatch.setitem(app.config, "ALERT_ESCALATION_MINUTES", 10)
    alert_id = open_alert(world["patients"][0]["id"])
    opened = clock.now()
    assert escalate(opened + timedelta(minutes=9)) == []
    with clock.frozen(opened + timedelta(minutes=10)):
        assert len(escalate(clock.now())) == 1
    assert len(smtp.to(on_call(world))) == 1
    assert alert_row(alert_id)["escalated_at"] == opened + timedelta(minutes=10)


def test_an_acknowledged_alert_is_not_escalated(world, smtp):
    alert_id = open_alert(world["patients"][0]["id"])
    opened = clock.now()
    with clock.frozen(opened + timedelta(minutes=12)):
        acknowledge(alert_id)
    assert escalate(opened + timedelta(hours=2)) == []
    assert alert_row(alert_id)["escalated_at"] is None and smtp.messages == []


def test_the_scheduler_notifies_an_alert_nobody_notified(world):
    alert_id = open_alert(world["patients"][0]["id"])  # e.g. the caller crashed after commit
    escalation_job(clock.now())
    escalation_job(clock.now())
    assert count(kind="red_flag", channel="in_app") == 1
    assert count(kind="red_flag", channel="email") == 1
    assert {n["data"]["alert_id"] for n in notifications(kind="red_flag")} == {alert_id}


def test_two_alerts_on_one_day_are_two_notifications(world):
    patient = world["patients"][0]["id"]
    first = open_alert(patient)
    with clock.frozen(clock.now() + timedelta(hours=3)):
        acknowledge(first)
        second = open_alert(patient)
    notify_red_flag(first, deliver=False)
    notify_red_flag(second, deliver=False)
    assert count(kind="red_flag", channel="in_app") == 2
