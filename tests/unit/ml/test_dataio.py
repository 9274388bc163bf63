import io

import numpy as np
import pandas as pd
import pytest

from ml import dataio
from ml.dataio import LogFormatError, borg_to_cr10, daily_grid, read_logs, write_logs

HEADER = "patient_id,date,fatigue,pain,session_minutes,session_rpe,rpe_scale,session_load,completed,stopped_early,modality,level"
GOOD = [
    "p1,2024-01-01,3,2,30,4,cr10,,1,0,tai_chi_qigong,2",
    "p1,2024-01-02,4,,,,,,,,,",
    "p1,2024-01-04,,,20,13,borg20,,true,false,balance,1",
    "p2,2024-01-01,1,1,,,,150,,,,",
]


def csv(*lines: str, header: str = HEADER) -> io.StringIO:
    return io.StringIO("\n".join([header, *lines]) + "\n")


def test_reads_typed_logs_and_converts_borg():
    logs = read_logs(csv(*GOOD))
    assert len(logs) == 4
    assert logs.loc[0, "session_load"] == 120  # minutes x CR-10 when empty
    assert logs.loc[2, "session_rpe"] == pytest.approx(3.0)  # Borg 13 "somewhat hard" = CR-10 3
    assert logs.loc[2, "session_rpe_raw"] == 13 and logs.loc[2, "rpe_scale"] == "borg20"
    assert logs.loc[2, "session_load"] == pytest.approx(60.0)
    assert logs.loc[3, "session_load"] == 150 and np.isnan(logs.loc[3, "session_minutes"])
    assert list(logs["has_session"]) == [True, False, True, True]


def test_round_trip_keeps_raw_rpe_and_scale():
    logs = read_logs(csv(*GOOD))
    out = io.StringIO()
    write_logs(logs, out)
    text = out.getvalue()
    assert "p1,2024-01-04,,,20,13,borg20,60,1,0,balance,1" in text
    again = read_logs(io.StringIO(text))
    cols = ["fatigue", "pain", "session_rpe", "session_load", "level", "completed"]
    assert again[cols].equals(logs[cols])


def test_borg_mapping_is_monotone_and_anchored():
    values = borg_to_cr10(np.arange(6, 21))
    assert values[0] == 0 and values[-1] == 10
    assert np.all(np.diff(values) > 0)


def test_one_rating_converts_as_a_column_does():
    # The service converts one rating without numpy (ml.scales); a session's load must not
    # depend on which path computed it.
    from ml.scales import borg_value_to_cr10

    ratings = np.round(np.arange(4.0, 22.0, 0.25), 2)
    assert [borg_value_to_cr10(r) for r in ratings] == pytest.approx(
        borg_to_cr10(ratings).tolist(), abs=1e-12
    )


@pytest.mark.parametrize(
    ("line", "line_no", "column", "fragment"),
    [
        ("p1,2024-01-05,eleven,2,,,,,,,,", 6, "fatigue", "expected a number"),
        ("p1,2024-01-05,11,2,,,,,,,,", 6, "fatigue", "0-10"),
        ("p1,05/01/2024,1,2,,,,,,,,", 6, "date", "YYYY-MM-DD"),
        ("p1,2024-02-30,1,2,,,,,,,,", 6, "date", "YYYY-MM-DD"),
        (",2024-01-05,1,2,,,,,,,,", 6, "patient_id", "empty"),
        ("p1,2024-01-05,1,2,30,5,,,,,,", 6, "rpe_scale", "required"),
        ("p1,2024-01-05,1,2,30,5,cr12,,,,,", 6, "rpe_scale", "one of"),
        ("p1,2024-01-05,1,2,30,11,cr10,,,,,", 6, "session_rpe", "0-10"),
        ("p1,2024-01-05,1,2,30,5,borg20,,,,,", 6, "session_rpe", "6-20"),
        ("p1,2024-01-05,1,2,30,,,,,,,", 6, "session_load", "needs session_load"),
        ("p1,2024-01-05,1,2,30,5,cr10,400,,,,", 6, "session_load", "differs"),
        ("p1,2024-01-05,1,2,,,,,1,,,", 6, "completed", "rest day"),
        ("p1,2024-01-05,1,2,,,,,,,balance,", 6, "modality", "rest day"),
        ("p1,2024-01-05,1,2,,,,100,maybe,,,", 6, "completed", "0/1"),
        ("p1,2024-01-05,1,2,,,,100,1,1,,", 6, "stopped_early", "both"),
        ("p1,2024-01-05,1,2,,,,100,,,yoga,", 6, "modality", "one of"),
        ("p1,2024-01-05,1,2,,,,100,,,balance,2.5", 6, "level", "whole number"),
        ("p1,2024-01-05,1,2,,,,-5,,,,", 6, "session_load", ">= 0"),
        ("p1,2024-01-02,1,2,,,,,,,,", 6, "date", "duplicate"),
    ],
)
def test_rejects_bad_rows_naming_line_and_column(line, line_no, column, fragment):
    with pytest.raises(LogFormatError) as err:
        read_logs(csv(*GOOD, line))
    assert err.value.line == line_no and err.value.column == column
    message = str(err.value)
    assert f"line {line_no}" in message and f"'{column}'" in message and fragment in message


def test_reports_the_earliest_bad_line():
    with pytest.raises(LogFormatError, match=r"line 3, column 'pain'.*\(1 more bad rows\)"):
        read_logs(csv(GOOD[0], "p1,2024-01-02,1,x,,,,,,,,", "p1,2024-01-03,zz,1,,,,,,,,"))


def test_rejects_bad_headers_and_shapes():
    with pytest.raises(LogFormatError, match="line 1, column 'fatigeu': unknown column"):
        read_logs(csv(GOOD[1], header=HEADER.replace("fatigue", "fatigeu")))
    with pytest.raises(LogFormatError, match="column 'level': required column missing"):
        read_logs(csv("p1,2024-01-01,3,2,,,,,,,", header=HEADER.rsplit(",", 1)[0]))
    with pytest.raises(LogFormatError, match="line 3"):
        read_logs(csv(GOOD[0], GOOD[1] + ",extra"))
    with pytest.raises(LogFormatError, match="line 3, column 'patient_id'"):
        read_logs(csv(GOOD[0], "", GOOD[1]))  # a blank line is a bad row, not skipped
    with pytest.raises(LogFormatError, match="empty file"):
        read_logs(io.StringIO(""))


def test_optional_columns_are_validated():
    header = HEADER + ",fatigue_after,infusion,treatment_phase"
    ok = read_logs(
        csv("p1,2024-01-01,3,2,30,4,cr10,,1,0,balance,2,5,1,chemotherapy", header=header)
    )
    assert ok.loc[0, "fatigue_after"] == 5 and ok.loc[0, "infusion"] == 1
    with pytest.raises(LogFormatError, match="'fatigue_after': must be empty on a rest day"):
        read_logs(csv("p1,2024-01-01,3,2,,,,,,,,,5,,", header=header))
    with pytest.raises(LogFormatError, match="'treatment_phase': must be one of"):
        read_logs(csv("p1,2024-01-01,3,2,,,,,,,,,,,chemo", header=header))


def test_daily_grid_fills_missing_days():
    logs = read_logs(csv(*GOOD))
    grid, pos = daily_grid(logs)
    assert list(grid["patient_id"]) == ["p1"] * 4 + ["p2"]
    assert list(grid["observed"]) == [True, True, False, True, True]
    assert list(pos) == [0, 1, 3, 4]
    assert grid.loc[2, "modality"] == "" and np.isnan(grid.loc[2, "fatigue"])


def test_typed_logs_equal_the_validated_parse_of_the_same_records():
    """The service's fast path must type records exactly as the strict parser does."""
    records = [
        {
            "patient_id": "p1",
            "date": "2026-01-01",
            "fatigue": 3,
            "pain": 1,
            "session_minutes": None,
            "session_rpe": None,
            "rpe_scale": None,
            "session_load": None,
            "completed": None,
            "stopped_early": None,
            "modality": None,
            "level": None,
            "infusion": 0,
            "met_bone": 1,
        },
        {
            "patient_id": "p1",
            "date": "2026-01-02",
            "fatigue": 4,
            "pain": None,
            "session_minutes": 20,
            "session_rpe": 13,
            "rpe_scale": "borg20",
            "session_load": None,
            "completed": 1,
            "stopped_early": 0,
            "modality": "walking_aerobic",
            "level": 2,
            "infusion": 1,
            "met_bone": 1,
        },
        {
            "patient_id": "p2",
            "date": "2026-01-02",
            "fatigue": None,
            "pain": 2,
            "session_minutes": 15,
            "session_rpe": 4,
            "rpe_scale": "cr10",
            "session_load": 60,
            "completed": 0,
            "stopped_early": 1,
            "modality": "aquatic",
            "level": 1,
            "infusion": 0,
            "met_bone": 0,
        },
    ]
    fast = dataio.typed_logs(records)
    strict = dataio.parse_logs(pd.DataFrame.from_records(records))
    pd.testing.assert_frame_equal(fast[strict.columns], strict, check_dtype=False)
