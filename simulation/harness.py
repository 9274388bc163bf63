"""Virtual patients through the real service: the simulation benchmark of the coach's policies.

``run_simulation`` builds its own app on a scratch database, enrols a cohort of virtual
patients through the API (``POST /api/v1/patients`` + ``/auth/activate``), and then lives
each day with the moved clock (``backend.clock``), entirely through the HTTP API of an
in-process test client:

1. **morning** (08:00 in the patient's zone): ``POST /me/check-ins`` with the virtual
   patient's reported fatigue and pain (skipped on the days it does not check in: more often
   on bad days); the service judges the day and the coach decides today's levels;
2. ``GET /me/sessions/today`` (08:05): the session served at the levels in force;
3. **session** (11:00): when the session has blocks and the virtual patient does not skip,
   it performs the served dose and ``POST /me/sessions/{id}/log`` (with an Idempotency-Key);
   the coach decides the next levels;
4. **evening review** (after the last patient's session): the virtual physio reads
   ``GET /adaptations?status=pending`` and **approves every proposal** (oldest first, one
   second apart so the order is deterministic). Approving everything measures the review
   *workload* each policy creates, not a physio's judgement; it is the most permissive
   reviewer, so a policy's flares are not hidden by a cautious human;
5. **night** (an hour later, model and auto policies): the scheduler's nightly retraining
   (``training.retrain_nightly``), which replaces the day-one model only when a candidate
   trained on the cohort's own logs is not worse on sessions neither has seen.

The physiology stays in ``simulation.families`` (``banister`` or ``busso``, chosen by
``family``): the service only ever sees what a real patient would tell the app. Mapping of the served dose to the virtual patient (fixed,
deterministic): planned load = the session's ``planned_load`` (sRPE AU of all its blocks),
target effort = planned load / planned minutes (the load-weighted CR-10 target, so the
reported minutes are the session's minutes), modality = the main modality carrying the
most load, level = the highest main-block level.

Measures (flares use ``ml.labels.flare_labels`` on the simulator's own record of what was
reported, one canonical row per patient-day):

* ``tolerated_load``: mean over patients of the weekly sRPE load (logged minutes x CR-10) of
  sessions labelled tolerated, in weeks 10-12 (fewer weeks: the last 3; a session with an
  unknown label, e.g. no next-day check-in, does not count as tolerated);
* ``flares_per_100``: flares per 100 logged sessions;
* ``missed_sessions``: served sessions with blocks that were not logged;
* ``proposals_to_review``: pending proposals the physio found in the queue;
* with the simulator's truth (``_programme_measures``): true flares per 100 sessions, the
  label's precision and recall, the share of patients who progressed >= 2 levels in a
  modality they tolerate, the share reaching the FITT target, and drop-outs.

A final morning of check-ins (day ``weeks * 7``) closes the label window of the last day.

The cohort (seeded per patient, apart from ``simulate_logs``' training cohort of the same
seed): hidden physiology from the family's ``PatientParams.sample``; a prescription of 1-2 load-carrying
modalities (aquatic only with pool access), levels 1-8, start 1-2, 2-4 sessions a week each,
auto-approve band 1; zones on three continents; 15% with one low-risk lesion (lung, liver,
lymph nodes, ribs); on chemotherapy, the infusion calendar of the hidden cycle. With the
``model`` or ``auto`` policy the run first trains and registers the population model
(``training.bootstrap_population_model``) and refuses to run without a usable one.
``database_url`` must name an empty database; by default a temporary SQLite file is used.
A proposal superseded by a newer one before the evening review never reaches the physio
and is not counted.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from backend import clock
from backend.domain.planner import MAX_SESSIONS_PER_WEEK
from ml.labels import flare_labels
from simulation.families import family as family_module
from simulation.truth import label_quality, pooled

POLICIES = ("auto", "fixed", "rules", "model")
START = date(2027, 1, 4)  # a Monday: weeks of the programme are ISO weeks
MORNING = clock_time(8, 0)
SESSION_TIME = clock_time(11, 0)
PASSWORD = "virtual patient passphrase"
PHYSIO_EMAIL = "physio@sim.onward.example"
# Zones on three continents, so "today" is computed in each patient's own zone.
TIMEZONES = (
    "Europe/London",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
)
# Modalities whose ladders carry load; mobility's stays under ~35 AU at every level.
MODALITIES = ("walking_aerobic", "resistance_band", "tai_chi_qigong", "balance", "aquatic")
CANCER_TYPES = ("breast", "prostate", "colorectal", "lung", "lymphoma", "ovarian")
LESION_SITES = ("lung", "liver", "lymph_nodes", "ribs")  # low-risk sites: "mostly no lesions"
BANDS = ["yellow", "red", "green", "blue"]
_SEED_SALT = 0x5137  # keeps the cohort apart from simulate_logs' training cohort of a seed


class SimulationError(RuntimeError):
    """The service answered a virtual patient or the physio with an unexpected status."""


@dataclass
class _Patient:
    index: int
    body: dict
    virtual: object  # the family's VirtualPatient
    zone: ZoneInfo
    patient_id: str = ""
    headers: dict = field(default_factory=dict)
    rows: list[dict] = field(default_factory=list)  # one canonical row per reported day
    final_levels: dict = field(default_factory=dict)  # modality -> level in force at the end


@dataclass
class _Tally:
    served: int = 0
    logged: int = 0
    proposals: int = 0
    check_ins: int = 0
    verdicts: Counter = field(default_factory=Counter)
    requests: int = 0
    models: list[str] = field(default_factory=list)  # versions promoted by nightly retraining


# ---------- the cohort ----------
def _profile(index: int, seed: int, days: int, family: str = "banister") -> _Patient:
    """A varied but safe virtual patient: its hidden physiology and its enrolment body."""
    fam = family_module(family)
    seq = np.random.SeedSequence([seed, _SEED_SALT, index])
    rng = np.random.default_rng(seq)
    params = fam.PatientParams.sample(rng)
    virtual = fam.VirtualPatient(int(seq.generate_state(1)[0]), params)
    zone = str(TIMEZONES[int(rng.integers(len(TIMEZONES)))])
    pool = bool(rng.random() < 0.5)
    choices = [m for m in MODALITIES if pool or m != "aquatic"]
    count = int(rng.integers(1, 3))
    picked = [str(m) for m in rng.choice(choices, size=count, replace=False)]
    per_week = 3 if count == 1 else 2
    prescription = {
        "modalities": [
            {
                "modality": m,
                "min_level": 1,
                "max_level": 8,
                "start_level": int(rng.integers(1, 3)),
                # The API refuses more than the brief allows (resistance 2-3 a week).
                "sessions_per_week": min(
                    per_week + int(rng.random() < 0.3), MAX_SESSIONS_PER_WEEK.get(m, 7)
                ),
            }
            for m in picked
        ],
        "auto_approve_band": 1,
    }
    lesions = []
    if rng.random() < 0.15:
        lesions.append({"site": str(LESION_SITES[int(rng.integers(len(LESION_SITES)))])})
    # The clinic knows the infusion dates: the calendar matches the hidden chemotherapy cycle.
    infusions = [
        (START + timedelta(days=d)).isoformat() for d in range(days) if virtual.infusion_on(d)
    ]
    body = {
        "email": f"patient{index:05d}@sim.onward.example",
        "display_name": f"Virtual patient {index}",
        "cancer_type": str(CANCER_TYPES[int(rng.integers(len(CANCER_TYPES)))]),
        "timezone": zone,
        "clinical": {
            "lesions": lesions,
            "calendar": {"infusions": infusions[:200]},
            "equipment": {"bands": BANDS, "pool_access": pool},
        },
        "prescription": prescription,
    }
    return _Patient(index=index, body=body, virtual=virtual, zone=ZoneInfo(zone))


# ---------- the HTTP client ----------
class _Api:
    """The test client with a status check on every call (a 500 is a bug, never skipped)."""

    def __init__(self, client, tally: _Tally):
        self._client = client
        self._tally = tally

    def call(self, method: str, path: str, expect: int, **kwargs) -> dict | list:
        self._tally.requests += 1
        response = self._client.open(path, method=method, **kwargs)
        if response.status_code != expect:
            raise SimulationError(
                f"{method} {path}: {response.status_code} (expected {expect}): "
                f"{response.get_data(as_text=True)[:500]}"
            )
        return response.get_json()


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _at(day: date, when: clock_time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, when, tzinfo=zone).astimezone(UTC)


# ---------- one day ----------
def _dose(session: dict) -> tuple[float, float, str, int]:
    """The served dose as the virtual patient's inputs: (load, target CR-10, modality, level)."""
    blocks = session["blocks"]
    mains = [b for b in blocks if b["part"] == "main"] or blocks
    minutes = sum(b["dose"].get("minutes") or 0.0 for b in blocks)
    load = float(session.get("planned_load") or 0.0)
    if load <= 0 or minutes <= 0:  # a dose without minutes: the ladders' targets, 1 AU floor
        target = statistics.mean(b["dose"]["target_rpe"] for b in mains) or 1.0
        load = max(load, target * max(minutes, 1.0))
    else:
        target = load / minutes
    per_modality: Counter = Counter()
    for b in mains:
        per_modality[b["modality"]] += (b["dose"].get("minutes") or 0.0) * b["dose"]["target_rpe"]
    modality = max(sorted(per_modality), key=lambda m: per_modality[m])
    level = max(b["level"] for b in mains)
    return load, target, modality, level


def _morning(api: _Api, tick, p: _Patient, day: int, on: date, tally: _Tally) -> dict:
    """Check in (if the patient does today); returns the day's canonical row so far."""
    tick.set(_at(on, MORNING, p.zone))
    row: dict = {"patient_id": p.index, "date": on}
    if p.virtual.checks_in(day):
        fatigue, pain = p.virtual.morning_check_in(day)
        answer = api.call(
            "POST",
            "/api/v1/me/check-ins",
            201,
            json={"fatigue": fatigue, "pain": pain},
            headers=p.headers,
        )
        row.update(fatigue=fatigue, pain=pain)
        tally.check_ins += 1
        tally.verdicts[answer["status"]] += 1
    return row


def _session(api: _Api, tick, p: _Patient, day: int, row: dict, seed: int, tally: _Tally):
    """Fetch today's session; perform and log it unless the patient skips."""
    on = row["date"]
    tick.set(_at(on, MORNING, p.zone) + timedelta(minutes=5))
    session = api.call("GET", "/api/v1/me/sessions/today", 200, headers=p.headers)
    if not session["blocks"] or session["status"] != "planned":
        return
    tally.served += 1
    load, target, modality, level = _dose(session)
    row.update(served=1)
    done = p.virtual.perform(day, load, level, modality, target_rpe=target)
    if done is None:
        return
    tick.set(_at(on, SESSION_TIME, p.zone))
    minutes = min(float(done["minutes"]), 300.0)
    body = {
        "completed": bool(done["completed"]),
        "minutes": minutes,
        "session_rpe": float(done["session_rpe"]),
        "rpe_scale": "cr10",
        "fatigue_after": int(done["fatigue_after"]),
        "pain_after": int(done["pain_after"]),
        "blocks": [
            {"exercise_id": b["exercise_id"], "completed": bool(done["completed"])}
            for b in session["blocks"]
        ],
    }
    if done["stopped_early"]:
        body["stopped_early_reason"] = "Stopped early: too tired / sore to go on."
    key = f"sim-{seed}-{p.index:05d}-{day:03d}"
    api.call(
        "POST",
        f"/api/v1/me/sessions/{session['id']}/log",
        201,
        json=body,
        headers={**p.headers, "Idempotency-Key": key},
    )
    tally.logged += 1
    row.update(
        session_minutes=minutes,
        session_rpe=float(done["session_rpe"]),
        session_load=minutes * float(done["session_rpe"]),
        stopped_early=float(done["stopped_early"]),
        fatigue_after=float(done["fatigue_after"]),
        pain_after=float(done["pain_after"]),
        modality=modality,
        level=level,
        planned_load=load,
        true_flare=float(done["true_flare"]),  # the simulator's truth, never sent to the service
    )


def _retrain(app, tick, tally: _Tally) -> None:
    """The scheduler's nightly job, an hour after the review: retrain on the cohort's own logs
    and promote only if not worse (``training.retrain_nightly``, exactly as production)."""
    from backend.services import training

    tick.advance(hours=1)
    with app.app_context():
        result = training.retrain_nightly(tick.now())
    if result.get("promoted"):
        tally.models.append(result["version"])


def _review(api: _Api, tick, headers: dict, at: datetime, tally: _Tally) -> None:
    """The virtual physio approves every pending proposal, oldest first, one second apart."""
    tick.set(at)
    for _ in range(1000):  # the queue is read in pages of 500 until empty
        queue = api.call(
            "GET", "/api/v1/adaptations?status=pending&limit=500", 200, headers=headers
        )["items"]  # approving empties the first page, so the next read is the next page
        if not queue:
            return
        queue.sort(key=lambda a: (a["created_at"], a["patient_id"], a["modality"]))
        for proposal in queue:
            tick.advance(seconds=1)
            api.call(
                "POST",
                f"/api/v1/adaptations/{proposal['id']}/decision",
                200,
                json={"decision": "approve", "note": "Simulated physio: approves every proposal."},
                headers=headers,
            )
            tally.proposals += 1
    raise SimulationError("the review queue never emptied")


# ---------- the run ----------
def _config(url: str, policy: str, model_dir: Path) -> dict:
    return {
        "ENV": "test",
        "SQLALCHEMY_DATABASE_URI": url,
        "ADAPTATION_POLICY": policy,
        "RATELIMIT_ENABLED": False,
        "LOG_LEVEL": "WARNING",
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_KIB": 1024,
        "MODEL_DIR": model_dir,
        # Tokens are checked against real time: a long run must not sign its patients out.
        "ACCESS_TOKEN_MINUTES": 7 * 24 * 60,
    }


def _setup(app, api: _Api, cohort: list[_Patient], policy: str, tally: _Tally) -> tuple[dict, str]:
    """Schema, clinic, physio (services, as the CLI does), patients (API); returns physio
    headers and the model version bootstrapped (if any)."""
    from backend.extensions import db
    from backend.services import accounts, training

    version = None
    with app.app_context():
        db.create_all()
        clinic = accounts.create_clinic("Simulation Clinic", on_call_email="on-call@sim.example")
        accounts.create_staff(PHYSIO_EMAIL, PASSWORD, clinic.id, "clinician", "Virtual Physio")
        if policy in ("model", "auto"):
            result = training.bootstrap_population_model(clock.now())
            active = training.active_model()
            if active is None:
                raise SimulationError(f"no usable model for policy {policy}: {result}")
            version = active[2]
    tokens = api.call(
        "POST", "/api/v1/auth/login", 200, json={"email": PHYSIO_EMAIL, "password": PASSWORD}
    )
    physio = _bearer(tokens["access_token"])
    for p in cohort:
        enrolled = api.call("POST", "/api/v1/patients", 201, json=p.body, headers=physio)
        p.patient_id = enrolled["id"]
        activated = api.call(
            "POST",
            "/api/v1/auth/activate",
            200,
            json={"invite_code": enrolled["invite_code"], "password": PASSWORD},
        )
        p.headers = _bearer(activated["access_token"])
    return physio, version


def run_simulation(
    *,
    patients: int,
    weeks: int,
    policy: str,
    seed: int,
    database_url: str | None = None,
    model_dir: Path | None = None,
    retrain: bool | None = None,
    family: str = "banister",
) -> dict:
    """Run a virtual cohort through the real API for `weeks` weeks under a policy; the measures.

    ``retrain`` (default: on for the model and auto policies, which use a model) runs the
    nightly retraining after each evening's review, as the scheduler does in production.
    ``family``: the virtual patients' physiology (``simulation.families``).
    """
    from backend import create_app
    from backend.extensions import db

    if policy not in POLICIES:
        raise ValueError(f"unknown policy {policy!r}; expected one of {POLICIES}")
    if patients < 1 or weeks < 1:
        raise ValueError("patients and weeks must be at least 1")
    if retrain is None:
        retrain = policy in ("model", "auto")
    started = time.perf_counter()
    days = weeks * 7
    family_module(family)  # an unknown family fails before any work
    cohort = [_profile(i, seed, days, family) for i in range(patients)]
    tally = _Tally()
    first_light = _at(START, clock_time(0, 0), ZoneInfo("Pacific/Kiritimati"))  # UTC+14
    with (
        tempfile.TemporaryDirectory(prefix="onward-sim-") as scratch,
        clock.frozen(first_light) as tick,
    ):
        url = database_url or f"sqlite:///{Path(scratch) / 'simulation.db'}"
        app = create_app(_config(url, policy, Path(model_dir or Path(scratch) / "models")))
        api = _Api(app.test_client(), tally)
        try:
            physio, version = _setup(app, api, cohort, policy, tally)
            setup_seconds = time.perf_counter() - started
            # Earliest local morning first (Sydney, then Europe, then America): time only
            # moves forward across the day, and the review comes after every session.
            order = sorted(cohort, key=lambda p: (_at(START, MORNING, p.zone), p.index))
            for day in range(days + 1):
                on = START + timedelta(days=day)
                latest = _at(on, SESSION_TIME, order[0].zone)
                for p in order:
                    row = _morning(api, tick, p, day, on, tally)
                    if day < days:  # the extra morning only closes the last label window
                        _session(api, tick, p, day, row, seed, tally)
                    if len(row) > 2:
                        p.rows.append(row)
                    latest = max(latest, tick.now())
                if day < days:
                    _review(api, tick, physio, latest + timedelta(hours=1), tally)
                    if retrain:
                        _retrain(app, tick, tally)
            final_levels = []
            for p in cohort:
                me = api.call("GET", "/api/v1/me", 200, headers=p.headers)
                p.final_levels = dict(me["levels"])
                final_levels.extend(me["levels"].values())
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    measures = {**_measures(cohort, weeks), **_programme_measures(cohort, weeks)}
    return {
        "policy": policy,
        "family": family,
        "seed": seed,
        "patients": patients,
        "weeks": weeks,
        "start": START.isoformat(),
        "model_version": version,
        "retrained": retrain,
        "models_promoted": tally.models,
        **measures,
        "served_sessions": tally.served,
        "logged_sessions": tally.logged,
        "missed_sessions": tally.served - tally.logged,
        "proposals_to_review": tally.proposals,
        "check_ins": tally.check_ins,
        "verdicts": dict(sorted(tally.verdicts.items())),
        "final_level_mean": round(statistics.mean(final_levels), 3) if final_levels else None,
        "requests": tally.requests,
        "setup_seconds": round(setup_seconds, 1),
        "elapsed_seconds": round(time.perf_counter() - started, 1),
    }


# ---------- measures ----------
def _window(weeks: int) -> tuple[int, int]:
    """First and last programme week (1-based) of the tolerated-load window."""
    if weeks >= 12:
        return 10, 12
    return max(1, weeks - 2), weeks


def canonical_frame(cohort_rows: list[dict]) -> pd.DataFrame:
    """The simulator's record as typed canonical rows (what ``ml.labels`` reads)."""
    columns = {
        "fatigue": np.nan,
        "pain": np.nan,
        "session_minutes": np.nan,
        "session_rpe": np.nan,
        "session_load": np.nan,
        "stopped_early": np.nan,
        "fatigue_after": np.nan,
        "pain_after": np.nan,
        "level": np.nan,
        "planned_load": np.nan,
        "served": 0.0,
    }
    frame = pd.DataFrame.from_records(cohort_rows)
    for col, default in columns.items():
        frame[col] = (frame[col] if col in frame else pd.Series(default, index=frame.index)).astype(
            float
        )
    frame["date"] = pd.to_datetime(frame["date"])
    frame["has_session"] = frame["session_load"].notna()
    frame["adverse_event"] = 0.0
    frame["rpe_scale"] = np.where(frame["has_session"], "cr10", "")
    return frame.sort_values(["patient_id", "date"]).reset_index(drop=True)


def _measures(cohort: list[_Patient], weeks: int) -> dict:
    first, last = _window(weeks)
    rows = [row for p in cohort for row in p.rows]
    empty = {
        "tolerated_load": 0.0,
        "window_weeks": [first, last],
        "flares": 0,
        "flares_per_100": 0.0,
        "unknown_labels": 0,
    }
    if not rows:
        return empty
    frame = canonical_frame(rows)
    frame["label"] = flare_labels(frame)
    sessions = frame[frame["has_session"]]
    week = (sessions["date"] - pd.Timestamp(START)).dt.days // 7 + 1
    tolerated = sessions[(sessions["label"] == 0) & (week >= first) & (week <= last)]
    per_patient = tolerated.groupby("patient_id")["session_load"].sum()
    weekly = per_patient.reindex(range(len(cohort)), fill_value=0.0) / (last - first + 1)
    flares = int((sessions["label"] == 1).sum())
    return {
        "tolerated_load": round(float(weekly.mean()), 2),
        "window_weeks": [first, last],
        "flares": flares,
        "flares_per_100": round(100.0 * flares / len(sessions), 2) if len(sessions) else 0.0,
        "unknown_labels": int(sessions["label"].isna().sum()),
    }


# A modality the patient tolerates: at least this many sessions, this share truly tolerated.
TOLERATED_MIN_SESSIONS, TOLERATED_SHARE = 4, 0.8
FITT_MINUTES = 150.0  # a week of moderate activity (CR-10 >= 3), ACSM 2019 / WHO 2020
FITT_RESISTANCE = 2  # resistance sessions a week, when resistance is prescribed
MODERATE_RPE = 3.0


def _programme_measures(cohort: list[_Patient], weeks: int) -> dict:
    """What the programme did for the patients, judged with the simulator's truth.

    * ``drop_outs``: patients no longer engaged on the last morning (families that model it);
    * ``true_flares_per_100``: true flares per 100 logged sessions;
    * ``label_precision`` / ``label_recall``: the label (``ml.labels``) against the truth,
      and ``label_false_by_rule``: which rule fired on its false flares;
    * ``progressed_share``: of the patients with a modality they tolerate (>= 4 sessions,
      >= 80 % truly tolerated), the share whose level in force at the end is >= 2 above the
      start level in one of those modalities (``tolerating_patients`` counts them);
    * ``fitt_share``: the share of all patients who, over the tolerated-load window, did
      >= 150 min a week at CR-10 >= 3 and, when resistance is prescribed, >= 2 resistance
      sessions a week.
    """
    first, last = _window(weeks)
    days = weeks * 7
    rows = [row for p in cohort for row in p.rows if "true_flare" in row]
    frame = canonical_frame([row for p in cohort for row in p.rows]) if rows else None
    quality = pooled([label_quality(frame)]) if frame is not None else None
    tolerating = progressed = fitt = 0
    for p in cohort:
        logged = [r for r in p.rows if "true_flare" in r]
        start = {m["modality"]: m["start_level"] for m in p.body["prescription"]["modalities"]}
        tolerated = [
            m
            for m in start
            if len(mine := [r for r in logged if r["modality"] == m]) >= TOLERATED_MIN_SESSIONS
            and sum(r["true_flare"] == 0 for r in mine) >= TOLERATED_SHARE * len(mine)
        ]
        if tolerated:
            tolerating += 1
            progressed += any(p.final_levels.get(m, start[m]) - start[m] >= 2 for m in tolerated)
        window = [r for r in logged if first <= (r["date"] - START).days // 7 + 1 <= last]
        n_weeks = last - first + 1
        minutes = sum(r["session_minutes"] for r in window if r["session_rpe"] >= MODERATE_RPE)
        resistance = sum(r["modality"] == "resistance_band" for r in window)
        fitt += minutes / n_weeks >= FITT_MINUTES and (
            "resistance_band" not in start or resistance / n_weeks >= FITT_RESISTANCE
        )
    n_logged = len(rows)
    return {
        "drop_outs": sum(not p.virtual.engaged(days) for p in cohort),
        "true_flares_per_100": (
            round(100.0 * sum(r["true_flare"] for r in rows) / n_logged, 2) if n_logged else 0.0
        ),
        "label_precision": round(quality["precision"], 3) if quality else None,
        "label_recall": round(quality["recall"], 3) if quality else None,
        "label_false_by_rule": quality["false_by_rule"] if quality else {},
        "tolerating_patients": tolerating,
        "progressed_share": round(progressed / tolerating, 3) if tolerating else None,
        "fitt_share": round(fitt / len(cohort), 3),
    }


def format_result(result: dict) -> str:
    """A run's measures as the lines the CLI prints."""
    first, last = result["window_weeks"]
    verdicts = ", ".join(f"{k} {v}" for k, v in result["verdicts"].items()) or "none"
    lines = [
        f"Simulation: family={result.get('family', 'banister')} policy={result['policy']} "
        f"seed={result['seed']} "
        f"patients={result['patients']} weeks={result['weeks']} (from {result['start']})",
        f"  tolerated load, weeks {first}-{last}: {result['tolerated_load']:.1f} AU/week per patient",
        f"  flares per 100 sessions:        {result['flares_per_100']:.2f} "
        f"({result['flares']} of {result['logged_sessions']} logged; "
        f"{result['unknown_labels']} unlabelled)",
        f"  missed sessions:                {result['missed_sessions']} "
        f"of {result['served_sessions']} served",
        f"  proposals sent to review:       {result['proposals_to_review']}",
        f"  true flares per 100 sessions:   {result['true_flares_per_100']:.2f}; label precision "
        f"{result['label_precision']}, recall {result['label_recall']}",
        f"  progressed >= 2 levels:         {result['progressed_share']} of "
        f"{result['tolerating_patients']} patients tolerating a modality; FITT target reached: "
        f"{result['fitt_share']}; drop-outs: {result['drop_outs']}",
        f"  check-ins: {result['check_ins']} ({verdicts}); "
        f"mean level at the end: {result['final_level_mean']}",
        f"  model: {result['model_version'] or 'none'}"
        + (f", then {len(result['models_promoted'])} retrained" if result.get("retrained") else "")
        + f"; {result['requests']} API requests "
        f"in {result['elapsed_seconds']:.1f} s (setup {result['setup_seconds']:.1f} s)",
    ]
    return "\n".join(lines)
