"""Families of virtual patients, each from its own physiology, behind one interface.

A family module exposes ``PatientParams`` (a frozen dataclass with ``sample(rng)``, the
population's between-patient variation) and ``VirtualPatient(seed, params)`` with
``infusion_on(day)``, ``checks_in(day)``, ``morning_check_in(day) -> (fatigue, pain)`` and
``perform(day, planned_load, level, modality, *, target_rpe) -> log | None``; the log carries
the hidden truth ``true_flare`` beside what the patient reports. Days are visited in order.
"""

from __future__ import annotations

from types import ModuleType

from simulation.families import banister, busso

FAMILIES: dict[str, ModuleType] = {"banister": banister, "busso": busso}


def family(name: str) -> ModuleType:
    """The family module called ``name``."""
    try:
        return FAMILIES[name]
    except KeyError:
        raise ValueError(f"unknown family {name!r}; expected one of {sorted(FAMILIES)}") from None
