"""Hypothesis strategies that build scenario files, valid and mutated (issue 11), and the
contract every one must keep: loaded, or refused with an :class:`accord.errors.AccordError`.

Shared by ``tests/test_fuzz.py`` (a bounded number of examples in ``make test``) and
``tools/fuzz.py`` (``make fuzz``: thousands, with figures for docs/fuzz.md).
"""

from __future__ import annotations

import json
import math
from typing import Any

import yaml
from hypothesis import strategies as st

IDS = st.text(alphabet="abcdefghXYZ_-é中", min_size=1, max_size=6)
SANE = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)
HOSTILE_NUMBERS = st.sampled_from([
    0, -0.0, 1e12, -1e12, 1e12 + 1, 1e13, 1e308, -1e308, 5e-324, float("nan"), float("inf"),
    -float("inf"), 10**40, 10**400, True, False, "1e5", "25%", "", None])
HOSTILE_TEXT = st.sampled_from([
    "\ud800", "a\udfffb", "\x00", "\u202e", "[/bold]", "<script>alert(1)</script>",
    "\ufeff", "𝕏" * 50, "x" * 10_000, "{{ 7*7 }}", "../../etc/passwd", "%s%s%n"])
SCALAR = st.one_of(HOSTILE_NUMBERS, HOSTILE_TEXT, st.text(max_size=8),
                   st.integers(), st.floats(), st.booleans(), st.none())


@st.composite
def quantity(draw: st.DrawFn, lo: float, hi: float) -> Any:
    value = draw(st.floats(min_value=lo, max_value=hi, allow_nan=False))
    if draw(st.booleans()):
        return value
    q: dict[str, Any] = {"value": value}
    if draw(st.booleans()):
        q["low"] = draw(st.floats(min_value=lo, max_value=value, allow_nan=False))
    if draw(st.booleans()):
        q["high"] = draw(st.floats(min_value=value, max_value=hi, allow_nan=False))
    if draw(st.booleans()):
        q["dist"] = draw(st.sampled_from(["triangular", "uniform", "normal"]))
    if draw(st.booleans()):
        q["evidence"] = draw(st.text(max_size=20))
    return q


@st.composite
def valid_scenario(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario the rules accept (almost always: float edge cases may still be refused,
    which the contract allows)."""
    wide = draw(st.sampled_from([(0.0, 100.0), (-1e12, 1e12), (-1.0, 1.0), (0.0, 1e-6)]))
    issues = draw(st.lists(IDS, min_size=1, max_size=3, unique=True))
    n_actors = draw(st.integers(min_value=1, max_value=5))
    actors = []
    for k in range(n_actors):
        actors.append({
            "id": f"A{k}",
            "capability": draw(quantity(0.0, 1e12)),
            "position": {i: draw(quantity(*wide)) for i in issues},
            "salience": {i: draw(quantity(0.0, 100.0)) for i in issues},
        })
    data: dict[str, Any] = {"title": draw(st.text(max_size=30)), "scale": list(wide),
                            "issues": [{"id": i} for i in issues], "actors": actors}
    if draw(st.booleans()):
        data["shocks"] = {"s": [f"A0.capability={draw(st.floats(0, 1e6)):g}"]}
    return data


def _paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*path, k))
    elif isinstance(data, list):
        for k, v in enumerate(data):
            out += _paths(v, (*path, k))
    return out


def _set(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    data[path[0]] = _set(data[path[0]], path[1:], value)
    return data


@st.composite
def mutated_scenario(draw: st.DrawFn) -> Any:
    """A valid scenario with one to three parts replaced (hostile numbers, text, types,
    nesting), removed, or an unknown key added."""
    data = draw(valid_scenario())
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        kind = draw(st.sampled_from(["scalar", "list", "dict", "deep", "delete", "extra"]))
        if kind == "scalar":
            data = _set(data, path, draw(SCALAR))
        elif kind == "list":
            data = _set(data, path, draw(st.lists(SCALAR, max_size=3)))
        elif kind == "dict":
            data = _set(data, path, draw(st.dictionaries(st.text(max_size=4), SCALAR,
                                                         max_size=3)))
        elif kind == "deep":
            value: Any = draw(SCALAR)
            for _ in range(draw(st.integers(min_value=1, max_value=60))):
                value = [value]
            data = _set(data, path, value)
        elif kind == "delete" and path:
            parent = data
            for p in path[:-1]:
                parent = parent[p]
            if isinstance(parent, dict):
                parent.pop(path[-1], None)
            elif isinstance(parent, list) and parent:
                parent.pop(path[-1])
        elif kind == "extra":
            target = data
            for p in path:
                target = target[p]
            if isinstance(target, dict):
                target[draw(st.text(max_size=5))] = draw(SCALAR)
    return data


def _dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


TEXT_ATTACKS = [
    lambda t: "\ufeff" + t,  # a byte-order mark
    lambda t: "a0: &a0 [x]\n" + "".join(
        f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 9)}]\n" for k in range(1, 9)) + t,
    lambda t: "t: &t [x, *t]\n" + t,  # recursive alias
    lambda t: "deep: " + "[" * 5000 + "]" * 5000 + "\n" + t,
    lambda t: t.replace("capability:", "capability: !!python/object:os.system", 1),
    lambda t: t.replace("title:", "title: !!binary", 1),
    lambda t: t + "\nx: " + "9" * 5000 + "\n",
    lambda t: t[: len(t) // 2],  # truncated
    lambda t: t.replace(":", ";", 1),
    lambda t: t.replace("\n", "\r", 3),
    lambda t: t + "\n---\nsecond: document\n",
    lambda t: "%YAML 1.1\n---\n" + t,
]


@st.composite
def scenario_file(draw: st.DrawFn) -> tuple[str, bytes]:
    """(suffix, bytes) of a scenario file: valid or mutated data as YAML or JSON, maybe with
    a text-level attack, in UTF-8 or another encoding."""
    data = draw(st.one_of(valid_scenario(), mutated_scenario()))
    suffix = draw(st.sampled_from([".yaml", ".json"]))
    try:
        text = _dump_json(data) if suffix == ".json" else _dump_yaml(data)
    except (ValueError, yaml.YAMLError):  # a value the dumper refuses: write it as repr
        text = repr(data)
    if draw(st.integers(0, 3)) == 0:
        text = draw(st.sampled_from(TEXT_ATTACKS))(text)
    encoding = draw(st.sampled_from(["utf-8"] * 6 + ["utf-16", "latin-1", "utf-8-sig"]))
    raw = text.encode(encoding, errors="surrogatepass" if encoding == "utf-8" else "replace")
    return suffix, raw


def finite_outcomes(result: Any) -> bool:
    """Every model's point forecast is a finite number."""
    return all(math.isfinite(float(x)) for r in result.results
               for x in r.point.outcome.ravel())
