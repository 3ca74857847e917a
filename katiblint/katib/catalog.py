"""The algorithm catalog (`rules/data/algorithms.yaml`): what each suggestion and early-stopping
service accepts, and the value grammar of the language it is written in.

Rules stay generic and read this data; adding an algorithm or a setting is a data change.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Callable, Mapping, NamedTuple

from katiblint.resources import data_path

# The catalog records are named tuples (cheap to define at start-up); `raw` defaults to this
# read-only empty mapping rather than a shared mutable one.
_NO_DATA: Mapping[str, Any] = MappingProxyType({})


class SettingSpec(NamedTuple):
    name: str
    type: str  # int | float | str | enum
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    exclusive_maximum: bool = False
    default: str | None = None
    required: bool = False
    allow_none: bool = False
    message: str | None = None
    description: str = ""
    nan: str = "reject"  # reject | accept | crash: how the validator's comparison treats nan
    unchecked_parse: bool = False  # parsed outside try: a parse error is gRPC Unknown
    always_fails: str | None = None  # the service fails on every value (a Katib bug)
    runtime: tuple[RuntimeCheck, ...] = ()
    raw: Mapping[str, Any] = _NO_DATA  # the catalog entry as written

    def range_text(self) -> str:
        low = "" if self.minimum is None else f"{'>' if self.exclusive_minimum else '>='} {_num(self.minimum)}"
        high = "" if self.maximum is None else f"{'<' if self.exclusive_maximum else '<='} {_num(self.maximum)}"
        return " and ".join(p for p in (low, high) if p)


# What Katib does when a value passes validation but the service or its library cannot use it.
# experiment_controller.go: a GetSuggestions error is requeued forever (suggestion_controller.go
# ReconcileSuggestion returns it); the Experiment is marked Running only once it has a Trial
# (ReconcileExperiment calls UpdateExperimentStatus only with trials), so a failure before the
# first Trial leaves it Created.
STUCK = "GetSuggestions fails at every call, so no further Trial is created and the Experiment never finishes"
STUCK_FROM_START = "GetSuggestions fails from its first call, so no Trial is ever created and the Experiment stays Created"
EFFECTS = {
    "failed": "the Experiment fails",
    "stuck": STUCK,
    "crash": "the suggestion service fails at every call, so no further Trial is created and the Experiment never finishes",
    "broken": "the Experiment runs, but every trial gets a useless value",
    "ignored": "the service ignores it",
}
ERROR_EFFECTS = frozenset({"failed", "stuck", "crash", "broken"})


class RuntimeCheck(NamedTuple):
    """A value validation accepts but the service or its library then trips on.

    Conditions (all given must hold): `above`/`below` (strict), `at_most`/`at_least`,
    `equals` (strings), `nonfinite`. `katib` limits the check to Katib releases (`>=0.15`).
    """

    effect: str
    message: str
    above: float | None = None
    below: float | None = None
    at_most: float | None = None
    at_least: float | None = None
    equals: tuple[str, ...] = ()
    nonfinite: bool = False
    katib: str | None = None

    def matches(self, text: str, number: float | None) -> bool:
        if self.equals:
            return text in self.equals
        if number is None:
            return False
        if self.nonfinite:
            return not math.isfinite(number)
        if math.isnan(number):
            return False
        bounds: tuple[tuple[float | None, Callable[[float], bool]], ...] = (
            (self.above, lambda b: number > b),
            (self.below, lambda b: number < b),
            (self.at_most, lambda b: number <= b),
            (self.at_least, lambda b: number >= b),
        )
        given = [(b, test) for b, test in bounds if b is not None]
        return bool(given) and all(test(b) for b, test in given)


def _runtime(data: dict[str, Any]) -> RuntimeCheck:
    return RuntimeCheck(
        effect=str(data.get("effect", "stuck")),
        message=str(data.get("message", "")),
        above=data.get("above"),
        below=data.get("below"),
        at_most=data.get("at_most"),
        at_least=data.get("at_least"),
        equals=tuple(str(v) for v in data.get("equals", ()) or ()),
        nonfinite=bool(data.get("nonfinite", False)),
        katib=None if data.get("katib") is None else str(data.get("katib")),
    )


# --- Katib releases ---------------------------------------------------------------------------


def version_key(version: str) -> tuple[int, ...]:
    """`0.19` / `v0.19.1` -> (0, 19); `latest`, `master` or garbage sort after every release."""
    text = version.strip().lower().removeprefix("v")
    parts = text.split(".")
    try:
        return tuple(int(p) for p in parts[:2])
    except ValueError:
        return (10**6,)


def version_in(constraint: str | None, version: str) -> bool:
    """Whether `version` satisfies a catalog tag such as `>=0.15`, `<=0.19`, `>0.19` (comma = and)."""
    if not constraint:
        return True
    have = version_key(version)
    for part in constraint.split(","):
        part = part.strip()
        for op in (">=", "<=", "==", ">", "<"):
            if part.startswith(op):
                want = version_key(part[len(op) :])
                ok = {
                    ">=": have >= want,
                    "<=": have <= want,
                    "==": have == want,
                    ">": have > want,
                    "<": have < want,
                }[op]
                if not ok:
                    return False
                break
    return True


def pick_version(entries: Any, version: str) -> dict[str, Any] | None:
    """A catalog value that is either one mapping or a list of `katib:`-tagged mappings."""
    if isinstance(entries, dict):
        return entries if version_in(entries.get("katib"), version) else None
    if isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, dict) and version_in(entry.get("katib"), version):
                return entry
    return None


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


class AlgorithmSpec(NamedTuple):
    name: str
    kind: str  # suggestion | early-stopping
    service: str
    parse: str  # python | go
    unknown_settings: str  # error | ignore | forward
    unknown_message: str | None
    settings: dict[str, SettingSpec]
    source: str
    parse_message: str | None = None
    parse_failure: str = "failed"  # what an unparseable value does (goptuna: stuck)
    required_message: str | None = None
    internal_settings: tuple[str, ...] = ()
    raw: Mapping[str, Any] = _NO_DATA  # the catalog entry as written


class Catalog(NamedTuple):
    algorithms: dict[str, AlgorithmSpec]
    early_stopping: dict[str, AlgorithmSpec]
    raw: Mapping[str, Any] = _NO_DATA  # the catalog entry as written

    def service(self, name: str) -> dict[str, Any]:
        """The search-space facts of a suggestion service (`services:`), {} when unknown."""
        services = self.raw.get("services") or {}
        found = services.get(name)
        return found if isinstance(found, dict) else {}

    def distribution(self, service: str, distribution: str, version: str) -> dict[str, Any] | None:
        """What `service` does with a `distribution` in Katib `version` (None: not recorded)."""
        table = self.service(service).get("distributions") or {}
        return pick_version(table.get(distribution), version)

    @property
    def algorithm_names(self) -> list[str]:
        return list(self.algorithms)

    @property
    def early_stopping_names(self) -> list[str]:
        return list(self.early_stopping)


def _setting(name: str, data: dict[str, Any]) -> SettingSpec:
    return SettingSpec(
        name=name,
        type=str(data.get("type", "str")),
        values=tuple(str(v) for v in data.get("values", ()) or ()),
        minimum=data.get("minimum"),
        maximum=data.get("maximum"),
        exclusive_minimum=bool(data.get("exclusive_minimum", False)),
        exclusive_maximum=bool(data.get("exclusive_maximum", False)),
        default=None if data.get("default") is None else str(data.get("default")),
        required=bool(data.get("required", False)),
        allow_none=bool(data.get("allow_none", False)),
        message=data.get("message"),
        description=str(data.get("description", "")),
        nan=str(data.get("nan", "reject")),
        unchecked_parse=bool(data.get("unchecked_parse", False)),
        always_fails=data.get("always_fails"),
        runtime=tuple(_runtime(r) for r in data.get("runtime", ()) or () if isinstance(r, dict)),
        raw=data,
    )


def _algorithm(name: str, kind: str, data: dict[str, Any]) -> AlgorithmSpec:
    return AlgorithmSpec(
        name=name,
        kind=kind,
        service=str(data.get("service", "")),
        parse=str(data.get("parse", "python")),
        unknown_settings=str(data.get("unknown_settings", "error")),
        unknown_message=data.get("unknown_message"),
        settings={k: _setting(k, v or {}) for k, v in (data.get("settings") or {}).items()},
        source=str(data.get("source", "")),
        parse_message=data.get("parse_message"),
        parse_failure=str(data.get("parse_failure", "failed")),
        required_message=data.get("required_message"),
        internal_settings=tuple(str(v) for v in data.get("internal_settings", ()) or ()),
        raw=data,
    )


def parse_catalog(raw: dict[str, Any]) -> Catalog:
    return Catalog(
        algorithms={k: _algorithm(k, "suggestion", v) for k, v in (raw.get("algorithms") or {}).items()},
        early_stopping={k: _algorithm(k, "early-stopping", v) for k, v in (raw.get("early_stopping") or {}).items()},
        raw=raw,
    )


COMPILED_SUFFIX = ".compiled.json"


@lru_cache(maxsize=None)
def read_data_file(name: str) -> Any:
    """A YAML data file of `rules/data/`, as plain Python values.

    The YAML is the source of truth; `<name>.compiled.json` next to it is the same data in a
    form that loads in a millisecond instead of tens (regenerate it with
    `python -m katiblint.katib.catalog`; a test keeps the two in step).
    """
    compiled = data_path(name + COMPILED_SUFFIX)
    if compiled.is_file():
        import json

        return json.loads(compiled.read_text(encoding="utf-8"))
    return parse_data_file(name)


def parse_data_file(name: str) -> Any:
    """Parse the YAML source of a data file (no compiled shortcut)."""
    from katiblint.yaml import load
    from katiblint.source import decode

    path = data_path(name)
    source, error, _ = decode(path.read_bytes(), str(path))
    if source is None:
        raise ValueError(f"{path}: {error}")
    result = load(source)
    if result.problems or not result.documents:
        raise ValueError(f"{path}: cannot be parsed: {result.problems}")
    return result.documents[0].root.to_python() if result.documents[0].root else {}


@lru_cache(maxsize=None)
def get_catalog() -> Catalog:
    return parse_catalog(read_data_file("algorithms.yaml"))


# --- value grammars -------------------------------------------------------------------------
# Python services parse settings with int()/float() (CPython, as the linter itself runs on), so
# the Python grammar *is* int()/float(). goptuna parses with Go's strconv.Atoi / ParseFloat,
# which reject what Python forgives: spaces, `_`, `+nan`, and out-of-range numbers.

_GO_INT = re.compile(r"[+-]?[0-9]+\Z")
_GO_DEC = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_GO_HEX = re.compile(r"[+-]?0[xX](?:_?[0-9a-fA-F])*(?:\.(?:_?[0-9a-fA-F])*)?[pP][+-]?[0-9]+(?:_?[0-9])*\Z")
_GO_SPECIAL = re.compile(r"(?:[+-]?(?:inf|infinity)|nan)\Z", re.IGNORECASE)


def parse_int(text: str, grammar: str = "python") -> int | None:
    """The integer `text` means to the service's parser, or None if that parser rejects it."""
    if grammar == "go":
        # strconv.Atoi: ASCII digits with one optional sign, within int64
        if not _GO_INT.match(text):
            return None
        value = int(text)
        return value if -(2**63) <= value < 2**63 else None
    try:
        return int(text)
    except (ValueError, TypeError):
        return None


def parse_float(text: str, grammar: str = "python") -> float | None:
    """The float `text` means to the service's parser, or None if that parser rejects it."""
    if grammar == "go":
        if _GO_SPECIAL.match(text):
            return float(text)
        if _GO_DEC.match(text):
            value = float(text)
        elif _GO_HEX.match(text) and any(c in "0123456789abcdefABCDEF" for c in text.split("x", 1)[-1].split("X", 1)[-1].lower().split("p")[0]):
            sign = -1.0 if text.startswith("-") else 1.0
            try:
                value = sign * float.fromhex(text.lstrip("+-").replace("_", ""))
            except OverflowError:
                return None
        else:
            return None
        # ParseFloat reports ErrRange for finite text that overflows float64
        return None if math.isinf(value) else value
    try:
        return float(text)
    except (ValueError, TypeError):
        return None


class ValueProblem(NamedTuple):
    """Why a setting value does not work: `effect` is a key of EFFECTS, `upstream` the service's words."""

    why: str
    effect: str
    upstream: str | None = None


def check_value(spec: SettingSpec, text: str, grammar: str) -> str | None:
    """Why `text` fails the service's validation of the setting, or None when it passes."""
    problem = assess(spec, text, grammar)
    return problem.why if problem is not None and problem.effect != "ignored" else None


def assess(
    spec: SettingSpec,
    text: str,
    grammar: str,
    algorithm: AlgorithmSpec | None = None,
    katib_version: str | None = None,
) -> ValueProblem | None:
    """What goes wrong with `text` as a value of `spec`, in the order the service checks.

    Validation first (parse, non-finite, range, choices), then the runtime-only constraints
    the catalog records for the Katib release (`katib_version`, default: every release).
    """
    def fmt(message: str | None, error: str = "") -> str | None:
        if message is None:
            return None
        kind = "int" if spec.type == "int" else "float"
        return message.replace("{name}", spec.name).replace("{value}", text).replace("{type}", kind).replace("{error}", error)

    parse_effect = algorithm.parse_failure if algorithm is not None else "failed"
    parse_message = algorithm.parse_message if algorithm is not None else None
    if spec.always_fails:
        return ValueProblem("is rejected whatever its value", "failed", spec.always_fails)
    if spec.allow_none and text == "None":
        return None
    number: float | None = None
    if spec.type == "enum":
        if text not in spec.values:
            return ValueProblem(f"must be one of {', '.join(spec.values)}", parse_effect, fmt(spec.message))
    elif spec.type == "str":
        if not text.strip():
            return ValueProblem("must not be empty", parse_effect, fmt(spec.message))
    elif spec.type in ("int", "float"):
        parsed = parse_int(text, grammar) if spec.type == "int" else parse_float(text, grammar)
        if parsed is None:
            if spec.type == "int":
                why = "must be an integer" + (
                    " (Go's strconv.Atoi: ASCII digits, a sign only in front, no spaces or `_`)" if grammar == "go" else ""
                )
            else:
                why = "must be a number" + (" (Go's strconv.ParseFloat: no spaces or `_`)" if grammar == "go" else "")
            error = _python_error(text, spec.type) if grammar == "python" else ""
            upstream = fmt(parse_message, error) if not spec.unchecked_parse else f"Exception calling application: {error}"
            return ValueProblem(why, parse_effect, upstream)
        number = float(parsed)
        if math.isnan(number) and spec.nan == "reject" and spec.range_text():
            return ValueProblem(f"must be {spec.range_text()} (`nan` compares false)", "failed", fmt(spec.message))
        if math.isnan(number) and spec.nan == "crash":
            return ValueProblem("must be a finite number", "failed", "cannot convert float NaN to integer")
        if not math.isnan(number):
            low_bad = spec.minimum is not None and (
                number < spec.minimum or (spec.exclusive_minimum and number == spec.minimum)
            )
            high_bad = spec.maximum is not None and (
                number > spec.maximum or (spec.exclusive_maximum and number == spec.maximum)
            )
            if low_bad or high_bad:
                return ValueProblem(f"must be {spec.range_text()}", "failed", fmt(spec.message))
    for check in spec.runtime:
        if katib_version is not None and not version_in(check.katib, katib_version):
            continue
        if check.matches(text, number):
            return ValueProblem(_runtime_why(check, text), check.effect, check.message)
    if number is not None and not math.isfinite(number):
        return ValueProblem("is not a finite number", "ignored", None)
    return None


def _runtime_why(check: RuntimeCheck, text: str) -> str:
    if check.equals or check.nonfinite:
        return "passes validation, then breaks the service" + (f" (Katib {check.katib})" if check.katib else "")
    for bound, word in ((check.above, "> "), (check.at_least, ">= "), (check.below, "< "), (check.at_most, "<= ")):
        if bound is not None:
            return f"is {word}{_num(bound)}"
    return "breaks the service"


def _python_error(text: str, kind: str) -> str:
    try:
        (int if kind == "int" else float)(text)
    except (ValueError, TypeError) as exc:
        return str(exc)
    return ""


DATA_FILES = ("algorithms.yaml", "experiment-fields.yaml", "training-operators.yaml")


def compile_data_files() -> list[str]:
    """Write `<name>.compiled.json` for every YAML data file; returns the files written."""
    import json

    written = []
    for name in DATA_FILES:
        target = data_path(name + COMPILED_SUFFIX)
        text = json.dumps(parse_data_file(name), separators=(",", ":"), ensure_ascii=False) + "\n"
        target.write_text(text, encoding="utf-8")
        written.append(str(target))
    return written


if __name__ == "__main__":  # python -m katiblint.katib.catalog
    for path in compile_data_files():
        print(f"wrote {path}")
