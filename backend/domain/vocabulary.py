"""The closed vocabularies shared by content, safety rules, the planner and the API.

Every code here is stored in the database and exchanged with the mobile app, so a code is
never renamed; new codes may be added.
"""

MODALITIES = (
    "tai_chi_qigong",
    "resistance_band",
    "aquatic",
    "balance",
    "walking_aerobic",
    "mobility",
)

# What an exercise loads; the safety rules exclude exercises by these tags.
LOAD_TAGS = (
    "spinal_flexion",
    "spinal_rotation",
    "spinal_extension",
    "trunk_load",  # resistance through the trunk (table row "trunk resistance")
    "hip_loading",  # resisted hip flexion/extension, deep hip loading
    "shoulder_loading",  # resisted shoulder flexion/extension/abduction/adduction
    "upper_limb_load",  # any resisted arm work (elbow-only work has this but not shoulder_loading)
    "lower_limb_load",  # resisted leg work (knee-only work has this but not hip_loading)
    "impact",
    "weight_bearing",  # standing or walking: the legs, pelvis and spine carry the body
    "immersion",
    "balance_challenge",
    "breath_holding_risk",  # Valsalva / raised intra-abdominal pressure
    "brisk_pace",  # brisk walking, fast stepping (no brisk walking at high fall risk, §10)
    "floor_transfer",  # getting down to or up from the floor (falls, low platelets, brain)
    "overhead_reach",  # arms raised above shoulder height (humerus restrictions)
    "hands_behind_head",  # hands behind the head or neck (cervical lesions)
    "arm_weight_bearing",  # pushing up or leaning through the arms (humerus, PICC, lines)
    "skin_friction",  # a band, noodle or grip rubbing or pressing on the skin (skin lesions)
    "end_range_stretch",  # a stretch held at the end of range (skin lesions: low-stretch)
)

POSITIONS = ("standing", "seated", "lying", "in_water")

EQUIPMENT = (
    "none",
    "chair",
    "band",
    "wall",
    "mat",
    "step",
    "pool",
    "pool_noodle",
    "flotation_belt",
    "stationary_bike",
)

# Thera-Band colours from light to heavy (domain §12.2); a band level is an index here.
BAND_COLOURS = ("tan", "yellow", "red", "green", "blue", "black", "silver", "gold")

# Metastatic lesion sites a physio can record (issue 2 §3). Bone sites first.
BONE_SITES = (
    "spine_cervical",
    "spine_thoracic",
    "spine_lumbar",
    "spine_sacral",
    "pelvis",
    "proximal_femur",
    "ribs",
    "humerus",
)
VISCERAL_SITES = ("lung", "liver", "brain", "lymph_nodes", "skin", "gi")
LESION_SITES = BONE_SITES + VISCERAL_SITES

PRECAUTIONS = (
    "lymphoedema",
    "peripheral_neuropathy",
    "central_line",  # tunnelled central venous catheter
    "picc",
    "port",  # implanted port
    "ostomy",
    "anticoagulants",
    "recent_surgery",  # with a date in the profile
    "falls",  # history of falls / high fall risk
    "hsct",  # stem-cell transplant
    "cardiopulmonary_toxicity",
    "feeding_tube",
    "ataxia",
    "breast_surgery",  # breast or axillary surgery: shoulder cleared before upper-body work
    "osteoporosis",  # osteopenia or osteoporosis (NCCN moderate tier)
    "no_pool_condition",  # uncontrolled epilepsy, cardiac failure, bowel incontinence, open wound
    # NCCN high tier (with bone metastases, ostomy, cardiopulmonary disease, ataxia):
    # physician clearance first.
    "lung_or_abdominal_surgery",
    "cardiopulmonary_disease",  # heart or lung disease, not only treatment toxicity
    "extreme_fatigue",  # recorded at screening
    "severe_malnutrition",
    "worsening_condition",
    # Toolkit absolute contraindications: no exercise while any is present.
    "unstable_angina",
    "unstable_arrhythmia",
    "uncontrolled_hypertension",
    "unstable_heart_failure",
    "acute_embolism_or_infarct",
    "acute_systemic_infection",
    "dissecting_aneurysm",
    "acute_myocarditis_or_pericarditis",
)

# How the care team reaches the patient (a red flag's "phone the patient").
CONTACT_PREFERENCES = ("phone", "sms", "email")

# What the care team can clear, lifting a rule that waits for it (rules.yaml unless_cleared).
CLEARANCES = (
    "medical_clearance",  # a physician cleared the patient for the programme (NCCN high tier)
    "training_after_surgery",  # the surgical team says the wound has healed enough to train
    "resistance_with_ostomy",  # physician permission for weight training with a stoma
    "upper_body_after_breast_surgery",  # arm and shoulder problems resolved
    "pool_after_infusion",  # pool use within the cytotoxic window decided case by case
)

# Resting vital signs a check-in may carry, with units and possible ranges (422 outside).
VITALS = ("resting_hr", "systolic_bp", "diastolic_bp", "spo2", "glucose")
VITAL_UNITS = {
    "resting_hr": "/min",
    "systolic_bp": "mm[Hg]",
    "diastolic_bp": "mm[Hg]",
    "spo2": "%",
    "glucose": "mmol/L",
}
VITAL_POSSIBLE_RANGE = {
    "resting_hr": (20.0, 250.0),
    "systolic_bp": (50.0, 300.0),
    "diastolic_bp": (20.0, 200.0),
    "spo2": (50.0, 100.0),
    "glucose": (1.0, 40.0),
}

LABS = ("platelets", "haemoglobin", "neutrophils", "wbc", "sodium", "potassium")
# Units are fixed per lab so a number is never ambiguous: 10^9/L, g/dL and mmol/L.
LAB_UNITS = {
    "platelets": "10^9/L",
    "haemoglobin": "g/dL",
    "neutrophils": "10^9/L",
    "wbc": "10^9/L",
    "sodium": "mmol/L",
    "potassium": "mmol/L",
}
# Physiologically possible ranges: outside them a value is a typo, not a result (422).
LAB_POSSIBLE_RANGE = {
    "platelets": (0.0, 2000.0),
    "haemoglobin": (1.0, 25.0),
    "neutrophils": (0.0, 100.0),
    "wbc": (0.0, 500.0),
    "sodium": (90.0, 200.0),
    "potassium": (1.0, 10.0),
}

RPE_SCALES = ("cr10", "borg20")
RPE_SCALE_RANGE = {"cr10": (0, 10), "borg20": (6, 20)}

VERDICTS = ("green", "amber", "red")

# A session day's status as shown (domain.sessions.shown_status); all but `missed` are stored.
SESSION_STATUSES = ("planned", "completed", "partial", "stopped", "missed", "rest", "blocked")

MIN_LEVEL = 1
MAX_LEVEL = 8

# ---------- plain labels (GET /api/v1/vocabulary, the app's pickers) ----------
# Every code above has one; a test checks that none is missing or left over.
MODALITY_LABELS = {
    "tai_chi_qigong": "Tai chi and qigong",
    "resistance_band": "Resistance band",
    "aquatic": "Pool exercise",
    "balance": "Balance",
    "walking_aerobic": "Walking and aerobic",
    "mobility": "Mobility and stretching",
}

SESSION_STATUS_LABELS = {
    "planned": "Planned",
    "completed": "Done",
    "partial": "Partly done",
    "stopped": "Stopped early",
    "missed": "Missed",
    "rest": "Rest day",
    "blocked": "Paused for your safety",
}

VERDICT_LABELS = {
    "green": "Good to go",
    "amber": "Go lighter today",
    "red": "Rest today",
}

# The symptoms a check-in may report (the safety rules decide which are red or amber).
SYMPTOM_LABELS = {
    "chest_pain": "Chest pain or pressure",
    "severe_breathlessness": "Severe breathlessness",
    "fainting": "Fainting or nearly fainting",
    "cyanosis_or_pallor": "Blue lips or skin, or sudden paleness",
    "stroke_signs": "Sudden weakness on one side, confusion or trouble speaking",
    "bladder_bowel_or_saddle": "New loss of bladder or bowel control, or numbness between the legs",
    "swollen_limb": "A suddenly swollen, red, painful arm or leg",
    "fever": "Fever",
    "bone_pain": "New or worse bone pain",
    "pain_on_weight_bearing": "Pain when standing or walking on a leg",
    "spinal_pain": "Back or neck pain worse at night or spreading like a band",
    "unsteadiness_or_leg_weakness": "New unsteadiness or legs getting weaker",
    "bleeding_or_bruising": "New bleeding or bruising",
    "palpitations": "Racing, pounding or irregular heartbeat",
    "dizziness": "Dizziness",
    "blurred_vision": "Blurred vision",
    "unusual_muscle_or_joint_pain": "Unusual muscle or joint pain",
    "nausea": "Nausea",
    "persistent_headache": "A headache that won't go away",
    "unusual_fatigue": "Unusual tiredness",
    "tingling": "New tingling or numbness",
    "more_pain_medication": "Needing more pain medication",
    "pain_during_exercise": "Pain during exercise",
    "vomiting": "Vomiting",
}
SYMPTOMS = tuple(SYMPTOM_LABELS)

PRECAUTION_LABELS = {
    "lymphoedema": "Lymphoedema",
    "peripheral_neuropathy": "Peripheral neuropathy",
    "central_line": "Tunnelled central line",
    "picc": "PICC line",
    "port": "Implanted port",
    "ostomy": "Stoma (ostomy)",
    "anticoagulants": "Taking anticoagulants",
    "recent_surgery": "Recent surgery",
    "falls": "Falls or high fall risk",
    "hsct": "Stem-cell transplant",
    "cardiopulmonary_toxicity": "Heart or lung toxicity from treatment",
    "feeding_tube": "Feeding tube",
    "ataxia": "Ataxia",
    "breast_surgery": "Breast or armpit surgery",
    "osteoporosis": "Osteopenia or osteoporosis",
    "no_pool_condition": "A condition that rules out the pool",
    "lung_or_abdominal_surgery": "Lung or abdominal surgery",
    "cardiopulmonary_disease": "Heart or lung disease",
    "extreme_fatigue": "Extreme fatigue (at screening)",
    "severe_malnutrition": "Severe malnutrition",
    "worsening_condition": "Worsening condition",
    "unstable_angina": "Unstable angina",
    "unstable_arrhythmia": "Unstable heart rhythm",
    "uncontrolled_hypertension": "Uncontrolled high blood pressure",
    "unstable_heart_failure": "Unstable heart failure",
    "acute_embolism_or_infarct": "Recent embolism or heart attack",
    "acute_systemic_infection": "Acute infection",
    "dissecting_aneurysm": "Dissecting aneurysm",
    "acute_myocarditis_or_pericarditis": "Acute myocarditis or pericarditis",
}

CLEARANCE_LABELS = {
    "medical_clearance": "Cleared by a physician for the programme",
    "training_after_surgery": "Surgical team says training may start",
    "resistance_with_ostomy": "Physician allows resistance work with a stoma",
    "upper_body_after_breast_surgery": "Arm and shoulder cleared after breast surgery",
    "pool_after_infusion": "Pool allowed soon after an infusion",
}

LESION_SITE_LABELS = {
    "spine_cervical": "Neck (cervical spine)",
    "spine_thoracic": "Upper back (thoracic spine)",
    "spine_lumbar": "Lower back (lumbar spine)",
    "spine_sacral": "Sacrum",
    "pelvis": "Pelvis",
    "proximal_femur": "Upper thigh bone (proximal femur)",
    "ribs": "Ribs",
    "humerus": "Upper arm bone (humerus)",
    "lung": "Lung",
    "liver": "Liver",
    "brain": "Brain",
    "lymph_nodes": "Lymph nodes",
    "skin": "Skin",
    "gi": "Digestive tract",
}

LAB_LABELS = {
    "platelets": "Platelets",
    "haemoglobin": "Haemoglobin",
    "neutrophils": "Neutrophils",
    "wbc": "White cells",
    "sodium": "Sodium",
    "potassium": "Potassium",
}

VITAL_LABELS = {
    "resting_hr": "Resting heart rate",
    "systolic_bp": "Blood pressure, upper number",
    "diastolic_bp": "Blood pressure, lower number",
    "spo2": "Oxygen saturation",
    "glucose": "Blood glucose",
}
