"""The cross-field rules of ``POST /api/forecast``'s 200 answer, as its response schema
describes them (:class:`accord.web.api.ForecastDocument`, ``ForecastEntry``, ``ShockEntry``):
which keys appear with draws, prob, shocks and sensitivity. Used by tests/test_web_api.py on
chosen requests and by tests/test_schemathesis.py on generated ones."""

from __future__ import annotations

from typing import Any


def check_forecast_document(body: dict[str, Any], doc: dict[str, Any]) -> None:
    """Raise AssertionError naming the rule a 200 answer to ``body`` breaks."""
    draws = body.get("draws", 1)
    asked = bool(body.get("prob") or body.get("thresholds"))
    assert doc["draws"] == draws and doc["seed"] == body.get("seed", 0), "draws/seed echoed"
    labels = [f["label"] for f in doc["forecasts"]]
    assert len(set(labels)) == len(labels), f"labels not unique: {labels}"
    models = body.get("models")
    if models and not any(str(m).startswith("ensemble") for m in models):
        assert [f["model"] for f in doc["forecasts"]] == [str(m).split(":")[0]
                                                         for m in models], "models in order"
    entries = list(doc["forecasts"])
    assert ("shocks" in doc) == bool(body.get("shocks")), "shocks exactly when asked"
    for shock in doc.get("shocks") or []:
        assert [f["label"] for f in shock["forecasts"]] == labels, "shock: same labels"
        assert ("difference_mean" in shock) == (draws > 1), "difference_mean iff draws > 1"
        entries += shock["forecasts"]
    assert ("sensitivity" in doc) == bool(body.get("sensitivity")), "sensitivity iff asked"
    for f in entries:
        where = f"{f['label']}: "
        assert ("distribution" in f) == (draws > 1), where + "distribution iff draws > 1"
        assert ("draw_notes" in f) == (draws > 1), where + "draw_notes iff draws > 1"
        assert ("probabilities" in f) == asked, where + "probabilities iff prob"
        assert all(0 <= p <= 1 for p in (f.get("probabilities") or {}).values()), where
        assert ("war" in f) == (f["model"] == "war"), where + "war for the war model only"
        assert "swing" not in f or f["model"] == "bdm", where + "swing for bdm only"
        for key in ("model", "label", "options", "outcome", "rounds", "notes"):
            assert key in f, where + f"{key} always"
