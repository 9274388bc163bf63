"""Dashboard pages: caseload, patient, review queue, and the actions on them.

Views parse the form, call a service with the signed-in actor, and render or redirect; the
services scope every read and write to the actor's clinic (another clinic's record is a 404).
"""

from __future__ import annotations

from datetime import timedelta

import marshmallow as ma
from flask import Response, flash, redirect, render_template, request, url_for

from backend.domain import vocabulary as v
from backend.errors import Conflict, Invalid
from backend.schemas.adaptations import DecisionSchema
from backend.schemas.patients import PatientUpdateSchema, PrescriptionSchema
from backend.services import adaptations, patients, review, summary
from backend.services.caseload import TIERS, caseload_status
from backend.web import charts, forms, summary_pdf
from backend.web.blueprint import actor, blp, safe_next
from backend.web.filters import humanise

TIER_LABELS = {
    "red_flag": "Red flag",
    "review": "To review",
    "attention": "Needs attention",
    "stable": "Stable",
}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@blp.context_processor
def _vocabulary():
    return {"v": v, "TIER_LABELS": TIER_LABELS, "WEEKDAYS": WEEKDAYS}


@blp.get("/")
def home():
    return redirect(url_for("web.caseload"))


@blp.get("/caseload")
def caseload():
    """Every patient with their status, most urgent first; search and filters."""
    search = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status", "all")
    status = status if status in ("all", *TIERS) else "all"
    scope = "clinic" if request.args.get("scope") == "clinic" else "mine"
    data = caseload_status(actor(), search or None, status, scope)
    return render_template(
        "web/caseload.html", data=data, search=search, status=status, scope=scope
    )


def _patient_page(
    patient_id: str, status: int = 200, profile=None, rx=None, profile_errors=None, rx_errors=None
):
    """Render the patient page, optionally with a submitted form and its errors."""
    data = review.patient_overview(actor(), patient_id)
    record = data["patient"]
    top_levels = {
        m["modality"]: m["max_level"] for m in (record["prescription"] or {}).get("modalities", [])
    }
    return (
        render_template(
            "web/patient.html",
            data=data,
            record=record,
            charts=charts.for_patient(data["trends"], top_levels),
            profile=profile if profile is not None else _profile_values(record),
            rx=forms.prescription_values(rx if rx is not None else record["prescription"]),
            profile_errors=profile_errors or {},
            rx_errors=rx_errors or {},
            all_errors={**(profile_errors or {}), **(rx_errors or {})},
            cutoff=data["trends"]["to"] - timedelta(days=27),
            sparkline=charts.sparkline,
        ),
        status,
    )


def _profile_values(record: dict) -> dict:
    return {
        "display_name": record["display_name"],
        "cancer_type": record["cancer_type"],
        "timezone": record["timezone"],
        "clinical": record["clinical"],
        "contact": record["contact"],
    }


@blp.get("/patients/<patient_id>")
def patient(patient_id):
    """One patient: alerts, proposals, 12-week charts, sessions, decisions, record."""
    return _patient_page(patient_id)


@blp.get("/patients/<patient_id>/summary.pdf")
def summary_document(patient_id):
    """The printable programme summary for the oncology team (audited as a record read)."""
    pdf = summary_pdf.render(summary.programme_summary(actor(), patient_id))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": 'inline; filename="programme-summary.pdf"',
            "Cache-Control": "no-store",
        },
    )


@blp.post("/patients/<patient_id>/profile")
def save_profile(patient_id):
    """Profile and clinical flags, validated by the API's PatientUpdateSchema."""
    body = forms.profile_body(request.form)
    try:
        changes = PatientUpdateSchema().load(body)
    except ma.ValidationError as error:
        errors = forms.flatten(error.messages)
        return _patient_page(patient_id, 422, profile=body, profile_errors=errors)
    patients.update(actor(), patient_id, changes)
    flash("Profile and clinical record saved.", "success")
    return redirect(url_for("web.patient", patient_id=patient_id, _anchor="record"), 303)


@blp.post("/patients/<patient_id>/prescription")
def save_prescription(patient_id):
    """The prescription, validated by the API's PrescriptionSchema."""
    body, order = forms.prescription_body(request.form)
    try:
        prescription = PrescriptionSchema().load(body)
    except ma.ValidationError as error:
        errors = forms.prescription_errors(forms.flatten(error.messages), order)
        return _patient_page(patient_id, 422, rx=body, rx_errors=errors)
    patients.set_prescription(actor(), patient_id, prescription)
    flash("Prescription saved.", "success")
    return redirect(url_for("web.patient", patient_id=patient_id, _anchor="prescription"), 303)


@blp.get("/review")
def review_queue():
    """Pending proposals with each patient's recent data, and open red flags."""
    return render_template(
        "web/review.html", data=review.queue(actor()), sparkline=charts.sparkline
    )


@blp.post("/adaptations/<adaptation_id>/decision")
def decide(adaptation_id):
    """Approve, modify (with a level) or reject one proposal, with an optional note."""
    back = safe_next(request.form.get("next"), "web.review_queue")
    decision = request.form.get("decision", "")
    body = {
        "decision": decision,
        "level": forms.number(request.form.get("level")) if decision == "modify" else None,
        "note": (request.form.get("note") or "").strip() or None,
    }
    try:
        loaded = DecisionSchema().load(body)
        done = adaptations.decide(
            actor(), adaptation_id, loaded["decision"], loaded["level"], loaded["note"]
        )
    except ma.ValidationError as error:
        flash(_first(forms.flatten(error.messages)), "error")
        return redirect(back, 303)
    except (Invalid, Conflict) as error:
        flash(_detail(error), "error")
        return redirect(back, 303)
    verb = {"approved": "Approved", "modified": "Changed", "rejected": "Rejected"}[done["status"]]
    level = f" at level {done['applied_level']}" if done["applied_level"] is not None else ""
    flash(
        f"{verb}: {done['patient_name']}, {humanise(done['modality']).lower()}{level}.", "success"
    )
    return redirect(back, 303)


@blp.post("/adaptations/bulk-approve")
def bulk_approve():
    """Approve the selected routine progressions (+1 inside the range) at once."""
    ids = request.form.getlist("adaptation_id")
    if not ids:
        flash("Select at least one routine progression to approve.", "error")
        return redirect(url_for("web.review_queue"), 303)
    note = (request.form.get("note") or "").strip()[:1000] or None
    result = review.bulk_approve(actor(), ids, note)
    message = f"Approved {len(result['approved'])} routine progression(s)."
    if result["skipped"]:
        reasons = "; ".join(sorted({s["reason"] for s in result["skipped"]}))
        message += f" Skipped {len(result['skipped'])}: {reasons}."
    flash(message, "success" if result["approved"] else "error")
    return redirect(url_for("web.review_queue"), 303)


DECISION_TEXT = {
    "resume": "sessions resume",
    "resume_lighter": "sessions resume, lighter for a week",
    "pause": "sessions stay paused",
}


@blp.post("/alerts/<alert_id>/ack")
def acknowledge(alert_id):
    """Acknowledge a red flag with a note and a decision on the patient's sessions."""
    back = safe_next(request.form.get("next"), "web.review_queue")
    try:
        done = review.acknowledge(
            actor(),
            alert_id,
            request.form.get("note", "")[:1000],
            request.form.get("decision", ""),
        )
    except (Invalid, Conflict) as error:
        flash(_detail(error), "error")
        return redirect(back, 303)
    outcome = DECISION_TEXT.get(done["decision"], "")
    flash(f"Red flag acknowledged for {done['patient_name']}: {outcome}.", "success")
    return redirect(back, 303)


def _first(errors: dict[str, list[str]]) -> str:
    for field, messages in errors.items():
        return f"{humanise(field)}: {messages[0]}"
    return "Please check the form."


def _detail(error) -> str:
    if error.errors and isinstance(error.errors.get("json"), dict):
        return f"{error.detail} {_first(forms.flatten(error.errors['json']))}"
    return error.detail
