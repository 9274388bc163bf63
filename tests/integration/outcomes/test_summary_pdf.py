"""The printable programme summary (issue 16, item 7): a PDF that opens and reads in words."""

from __future__ import annotations

import shutil
import subprocess

from tests.conftest import need_service
from tests.factories import in_app
from tests.integration.matrix_questionnaires import ESAS
from tests.integration.outcomes.test_questionnaires import audit_actions
from tests.integration.review.builders import demo_clinic
from tests.integration.review.pages import sign_in

POPPLER = shutil.which("pdftoppm") and shutil.which("pdftotext")
INTERNAL = ("_", "theta", "P(tolerated)")


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@in_app
def esas_for(patient_id: str) -> None:
    from backend.extensions import db
    from backend.models import Patient
    from backend.services import questionnaires

    questionnaires.record_esas(db.session.get(Patient, patient_id), ESAS, None)
    db.session.commit()


def test_the_summary_opens_and_says_what_happened_in_clinical_words(client, tmp_path):
    if not POPPLER:
        need_service(
            "poppler-utils", "pdftoppm/pdftotext not found (apt-get install poppler-utils)"
        )
    d = demo_clinic(client)
    ann = d["ids"]["ann"]
    esas_for(ann)
    sign_in(client, d["a"]["physio"])
    response = client.get(f"/dashboard/patients/{ann}/summary.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(response.get_data())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    assert (tmp_path / "page-1.png").stat().st_size > 10_000  # page 1 rendered, not blank
    text = pdf_text(pdf)
    for heading in ("Sessions", "Load trend", "Flares", "Red-flag alerts", "Level changes"):
        assert heading in text, heading
    assert "Ann Hughes" in text and "Chest pain" in text  # the demo clinic's red flag
    assert "14/90" in text  # this week's ESAS-r total
    assert "page 2" in text and text.count("Onward · Ann Hughes") >= 2  # each page says whose
    assert "Walking and aerobic" in text and "walking_aerobic" not in text
    changes = text[text.index("Level changes") : text.index("Symptom questionnaire")]
    assert not any(code in changes for code in INTERNAL), changes
    assert "summary.read" in audit_actions(ann)


def test_another_clinics_physio_gets_the_same_404_as_a_missing_patient(client):
    d = demo_clinic(client)
    sign_in(client, d["b"]["physio"])
    hidden = client.get(f"/dashboard/patients/{d['ids']['ann']}/summary.pdf")
    missing = client.get(f"/dashboard/patients/{'0' * 32}/summary.pdf")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_data() == missing.get_data()
    assert "access.denied" in audit_actions(d["ids"]["ann"])


def test_signed_out_the_summary_asks_for_sign_in(client):
    d = demo_clinic(client)
    response = client.get(f"/dashboard/patients/{d['ids']['ann']}/summary.pdf")
    assert response.status_code in (302, 303) and "sign-in" in response.headers["Location"]
