"""Every reproducer of shared/reference/hostile/ (copied into tests/data/hostile/) ends cleanly.

Rejected files: exit code 2 from ``validate`` and ``forecast`` with a message naming the file
and what is wrong, never a traceback; on the web a 4xx (``/api/forecast``) or ``valid: false``
(``/api/validate``) with the problems. Accepted files: forecast to the value a hand
calculation gives. The bombs (aliases, nesting, huge numbers) also run as a real process under
a 500 MB address-space limit, so a blow-up fails the test instead of the machine.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from accord.web import Limits, create_app

HOSTILE = Path(__file__).parent / "data" / "hostile"

# file -> words the message must contain
REJECTED = {
    "billion_laughs.yaml": "aliases (*name) are expanded",
    "billion_laughs_7.yaml": "aliases (*name) are expanded",
    "billion_laughs_8.yaml": "aliases (*name) are expanded",
    "normal_dist_hang.yaml": "within ±1e12",
    "overflow_nan.yaml": "within ±1e12",
    "capability_typo_key.yaml": "hihg: is not a known field",
    "capability_numeric_note.yaml": "capability.evidence: 2025 is not text",
    "position_numeric_note.yaml": "position.a.evidence: 2025 is not text",
    "bigint.yaml": "has 5000 characters: numbers must lie within ±1e12",
    "bigint.json": "has 5000 characters: numbers must lie within ±1e12",
    "deep_nesting.yaml": "nested more than 40 levels deep",
    "deep_nesting.json": "nested more than 40 levels deep",
    "recursive_alias.yaml": "refers to its own anchor",
    "unhashable_issue_id.yaml": "issues[0].id: ['a'] is not text",
    "surrogate_title.json": "lone surrogate",
}

# file -> (issue, the compromise forecast by hand: sum c s x / sum c s)
ACCEPTED = {
    "bom.json": ("a", 10.0),  # one actor at 10
    "bom_tidy.csv": ("a", 50.0),  # 10 and 90, equal weights
    "yaml_1e5.yaml": ("a", (1e5 * 10 + 1 * 90) / (1e5 + 1)),  # 1e5 is a number (YAML 1.2)
    "markup_title.yaml": ("a", 50.0),
    "markup_label.yaml": ("a", 50.0),
    "xss.yaml": ("iss<b>x</b>", 50.0),  # capabilities 5 and 5 at 10 and 90
}

BOMBS = ["billion_laughs.yaml", "billion_laughs_8.yaml", "deep_nesting.json",
         "deep_nesting.yaml", "recursive_alias.yaml", "bigint.json"]


def test_every_reproducer_is_covered() -> None:
    scenario_files = {p.name for p in HOSTILE.iterdir()
                      if p.suffix in (".yaml", ".json", ".csv") and not p.name.startswith("web_")}
    assert scenario_files == set(REJECTED) | set(ACCEPTED)


@pytest.mark.parametrize("name", sorted(REJECTED))
@pytest.mark.parametrize("command", ["validate", "forecast"])
def test_rejected_with_a_message_and_exit_2(accord, name: str, command: str) -> None:
    res = accord(command, HOSTILE / name)
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr
    assert name in res.stderr and REJECTED[name] in res.stderr


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_accepted_and_forecast_correctly(accord, name: str) -> None:
    assert accord("validate", HOSTILE / name).returncode == 0
    res = accord("forecast", HOSTILE / name, "--model", "compromise", "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    issue, expected = ACCEPTED[name]
    (entry,) = doc["forecasts"]
    assert entry["outcome"][issue] == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("name", ["surrogate_title.json", "markup_title.yaml",
                                  "markup_label.yaml", "xss.yaml"])
def test_table_output_and_report_of_odd_text(accord, tmp_path: Path, name: str) -> None:
    """Table output and the report either work or refuse the file (exit 2), never crash."""
    for args in (("forecast", HOSTILE / name, "--model", "compromise"),
                 ("report", HOSTILE / name, "-o", tmp_path / "r.html", "--model",
                  "compromise", "--draws", "20")):
        res = accord(*args)
        assert res.returncode in (0, 2) and "Traceback" not in res.stderr, res.stderr
    if name == "xss.yaml":
        html = (tmp_path / "r.html").read_text(encoding="utf-8")
        assert "<script>alert(" not in html and "&lt;script&gt;alert(" in html


def _limited() -> None:  # in the child: at most 500 MB of address space
    resource.setrlimit(resource.RLIMIT_AS, (500 * 2**20, 500 * 2**20))


@pytest.mark.parametrize("name", BOMBS)
def test_bombs_stay_within_500_mb(name: str) -> None:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    res = subprocess.run([sys.executable, "-m", "accord",
                          "validate", str(HOSTILE / name)], capture_output=True, text=True,
                         preexec_fn=_limited, env=env, timeout=120)
    assert res.returncode == 2, res.stderr
    assert REJECTED[name] in res.stderr and "MemoryError" not in res.stderr


# --------------------------------------------------------------------------- the dashboard


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Limits(max_draws=2000))) as c:
        yield c


def _body(name: str) -> dict:
    return json.loads((HOSTILE / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["web_bigint.json", "web_deep.json", "web_unhashable.json",
                                  "web_laughs.json"])
def test_web_validate_gives_the_problems(client, name: str) -> None:
    res = client.post("/api/validate", json=_body(name))
    assert res.status_code == 200 and res.json()["valid"] is False
    assert res.json()["problems"]
    fc = client.post("/api/forecast", json={**_body(name), "models": ["compromise"]})
    assert fc.status_code == 422 and fc.json()["problems"]


def test_web_ensemble_weight_overflow_is_422(client) -> None:
    res = client.post("/api/forecast", json=_body("web_ensemble_overflow.json"))
    assert res.status_code == 422 and "weight" in res.json()["detail"]


def test_web_sampler_hang_requests_are_refused_and_the_pool_stays_free(client) -> None:
    for _ in range(5):
        res = client.post("/api/forecast", json=_body("web_sampler_hang.json"))
        assert res.status_code == 422 and res.json()["problems"]
    ok = client.post("/api/forecast", json={"example": "emission-1994",
                                            "models": ["compromise"]})
    assert ok.status_code == 200


@pytest.mark.parametrize("name", ["bigint.yaml", "deep_nesting.json", "billion_laughs.yaml",
                                  "recursive_alias.yaml", "surrogate_title.json"])
def test_web_upload_of_a_bomb_is_4xx(client, name: str) -> None:
    res = client.post("/drafts/upload", files={"file": (name, (HOSTILE / name).read_bytes())},
                      follow_redirects=False)
    assert 400 <= res.status_code < 500


def test_web_overflowing_scenario_cannot_be_run(client) -> None:
    """overflow_nan.yaml is now refused by validation: the upload becomes a draft with
    problems and its run is a 4xx, never the job page's 500."""
    res = client.post("/drafts/upload",
                      files={"file": ("o.yaml", (HOSTILE / "overflow_nan.yaml").read_bytes())},
                      follow_redirects=False)
    assert res.status_code == 303
    run = client.post(res.headers["location"] + "/run", data={"model": "compromise",
                                                              "draws": "50"})
    assert 400 <= run.status_code < 500
