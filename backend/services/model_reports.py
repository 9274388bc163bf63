"""Human-readable reports about the tolerance model for operators (CLI)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from backend.extensions import db
from backend.models import ModelVersion
from backend.services import training


def evaluate_files(
    logs_path: str, train_path: str | None, plot_path: str | None
) -> tuple[dict, str]:
    """`ml evaluate`: the design's JSON object and a table, plus a reliability plot PNG."""
    from ml.dataio import read_logs
    from ml.evaluate import best_kind, predictions, reliability_plot, summarize
    from ml.pipeline import KINDS

    test = read_logs(logs_path)
    train = read_logs(train_path) if train_path else None
    # One set of predictions serves both kinds, the baselines and the plot (same folds).
    preds = predictions(test, train)
    results = {kind: summarize(preds, f"p_{kind}") for kind in KINDS}
    kind = best_kind(results)
    plot = Path(plot_path) if plot_path else Path(logs_path).with_suffix(".reliability.png")
    reliability_plot(
        preds["label"],
        preds[f"p_{kind}"],
        plot,
        title=f"Reliability ({kind}): {Path(logs_path).name}",
    )
    report = {k: results[kind][k] for k in ("n", "flare_rate", "model", "baselines")}
    return report, _table(
        report, train_path is not None
    ) + f"\nmodel: {kind}\nreliability plot: {plot}"


def _table(report: dict, transfer: bool) -> str:
    how = (
        "trained on --train-logs, tested on --logs"
        if transfer
        else "5-fold cross-validation grouped by patient"
    )
    lines = [
        f"{report['n']} sessions, flare rate {report['flare_rate']:.3f} ({how})",
        f"{'':<18}{'AUROC':>8}{'AUPRC':>8}{'Brier':>8}",
    ]
    rows = [("model", report["model"])] + sorted(report["baselines"].items())
    for name, m in rows:
        lines.append(f"{name:<18}{m['auroc']:>8.3f}{m['auprc']:>8.3f}{m['brier']:>8.4f}")
    m = report["model"]
    lines.append(
        f"calibration slope {m['calibration_slope']:.2f}, intercept {m['calibration_intercept']:.2f}"
    )
    return "\n".join(lines)


def status_text(now: datetime) -> str:
    active = training.active_model()
    rows = db.session.scalars(select(ModelVersion).order_by(ModelVersion.created_at.desc()))
    lines = [
        f"serving: {'model ' + active[2] if active else 'the rule-based policy (no usable model)'}"
    ]
    if active:
        lines += calibration_lines(training.calibration_status(now))
    for row in rows:
        flag = "*" if row.active else " "
        lines.append(
            f"{flag} {row.version}  {row.source:<10} rows={row.training_rows:<8} AUROC={row.auroc:.3f} Brier={row.brier:.4f}"
        )
    return "\n".join(lines)


def calibration_lines(status: dict | None) -> list[str]:
    """`ml status`: calibration on the clinic's recent sessions, without/with recalibration."""
    if not status:
        return []
    where = (
        f"the clinic's labelled sessions of the last {status['days']} days after the model's "
        f"training data (after {status['after']})"
    )
    if "with" not in status:
        return [f"calibration: too few labelled sessions to judge ({status['n']}) in {where}"]
    on = training.recalibration_enabled()
    fit = status["fit"]
    lines = [
        f"calibration on {where}: n={status['n']} sessions, {status['n_patients']} patients, "
        f"flare rate {status['flare_rate']:.3f}",
        f"  {'':34}{'intercept':>10}{'slope':>7}{'CITL':>7}{'Brier':>8}",
    ]
    for label, m in (
        ("model as trained", status["without"]),
        (f"with online recalibration{'' if on else ' (off)'}", status["with"]),
        ("patients' own base rate", status["own_base_rate"]),
    ):
        lines.append(
            f"  {label:<34}{m['calibration_intercept']:>10.2f}{m['calibration_slope']:>7.2f}"
            f"{m['calibration_in_the_large']:>7.2f}{m['brier']:>8.4f}"
        )
    lines.append(
        f"  nightly fit: clinic intercept {fit['intercept']:+.2f}, slope {fit['slope']:.2f}, "
        f"patient sd {fit['tau']:.2f} (n={fit['n']})"
        + ("" if on else "; ONWARD_ONLINE_RECALIBRATION=0: the model is served as trained")
    )
    return lines
