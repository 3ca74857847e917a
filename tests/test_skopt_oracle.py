"""bayesianoptimization verdicts against a real scikit-optimize, driven the way Katib drives it.

The oracle mirrors `pkg/suggestion/v1beta1/skopt/service.py` (Katib's validator) and
`skopt/base_service.py` (`create_optimizer`: ints are `Integer(min, max)`, doubles always
`Real(min, max, "log-uniform")`, categoricals `Categorical(list)`), then asks for points and tells
results until the surrogate model has been fitted. katiblint must call the manifest broken
(an error) exactly when Katib's validator rejects it or the optimizer fails.

Where Katib deliberately differs from the library, the oracle follows Katib:
- `base_estimator` must be exactly `GP`, `RF`, `ET` or `GBRT`; skopt also takes `gp`, `DUMMY`, ...
- `n_initial_points` and `random_state` must parse with `int()` and be >= 0.
- `acq_func` and `acq_optimizer` must be one of Katib's lists.
Version-dependent verdicts, handled explicitly below:
- `RF`/`ET`: skopt 0.9.0 (Katib's pin) passes `criterion='mse'`, which scikit-learn >= 1.2
  rejects; Katib >= 0.15 images resolve such a scikit-learn. skopt >= 0.10 (maybe installed here)
  fixed it, so the oracle cannot see the breakage and the test asserts it from the pin instead.
- `GBRT`: works in Katib's image, but skopt's `GradientBoostingQuantileRegressor` fails
  `is_regressor` with scikit-learn >= 1.6 ("has to be a regressor"). When the installed libraries
  cannot build it, GBRT cases are not drawn: this environment cannot judge them.
"""

from __future__ import annotations

import json
import math
import warnings

import pytest

skopt = pytest.importorskip("skopt")
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from katiblint.config import parse  # noqa: E402
from katiblint.diagnostics import Severity  # noqa: E402
from katiblint.engine import Linter  # noqa: E402

KATIB_ESTIMATORS = ("GP", "RF", "ET", "GBRT")
KATIB_ACQ_FUNCS = ("gp_hedge", "LCB", "EI", "PI", "EIps", "PIps")
KATIB_ACQ_OPTIMIZERS = ("auto", "sampling", "lbfgs")
SKOPT_VERSION = tuple(int(p) for p in skopt.__version__.split(".")[:2])
CODES = ["KAT203", "KAT213", "KAT220"]


def _estimator_builds(name: str) -> bool:
    from skopt.space import Real

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            skopt.Optimizer([Real(0.1, 1.0)], base_estimator=name, n_initial_points=1, acq_optimizer="sampling")
        except ValueError:
            return False
    return True


DRAWN_ESTIMATORS = [e for e in ("GP", "RF", "ET", "GBRT", "gp", "DUMMY") if e not in KATIB_ESTIMATORS or _estimator_builds(e)]


def _katib_validates(settings_: dict[str, str]) -> bool:
    """SkoptService._validate_bayesianoptimization_setting."""
    for name, value in settings_.items():
        if name == "base_estimator" and value not in KATIB_ESTIMATORS:
            return False
        if name == "acq_func" and value not in KATIB_ACQ_FUNCS:
            return False
        if name == "acq_optimizer" and value not in KATIB_ACQ_OPTIMIZERS:
            return False
        if name in ("n_initial_points", "random_state"):
            try:
                if not int(value) >= 0:
                    return False
            except ValueError:
                return False
    return True


def _optimizer_works(settings_: dict[str, str], params: list[dict[str, object]], rounds: int) -> bool:
    from skopt.space import Categorical, Integer, Real

    try:
        dims = []
        for p in params:
            if p["type"] == "int":
                dims.append(Integer(int(p["min"]), int(p["max"])))  # type: ignore[arg-type]
            elif p["type"] == "double":
                dims.append(Real(float(p["min"]), float(p["max"]), "log-uniform"))  # type: ignore[arg-type]
            else:
                dims.append(Categorical(p["list"]))  # type: ignore[arg-type]
        random_state = settings_.get("random_state")
        optimizer = skopt.Optimizer(
            dims,
            base_estimator=settings_.get("base_estimator", "GP"),
            n_initial_points=int(settings_.get("n_initial_points", "10")),
            acq_func=settings_.get("acq_func", "gp_hedge"),
            acq_optimizer=settings_.get("acq_optimizer", "auto"),
            random_state=None if random_state is None else int(random_state),
        )
        for i in range(rounds):
            x = optimizer.ask()
            if any(isinstance(v, float) and math.isnan(v) for v in x):
                return False  # Katib writes `nan` into the trial, then the next fit fails
            optimizer.tell(x, float((i * 7919) % 13) / 13.0)
    except Exception:  # noqa: BLE001 - any failure here is GetSuggestions failing
        return False
    return True


def _manifest(settings_: dict[str, str], params: list[dict[str, object]]) -> str:
    doc = {
        "apiVersion": "kubeflow.org/v1beta1",
        "kind": "Experiment",
        "metadata": {"name": "bo"},
        "spec": {
            "algorithm": {
                "algorithmName": "bayesianoptimization",
                "algorithmSettings": [{"name": k, "value": v} for k, v in settings_.items()],
            },
            "parameters": [
                {
                    "name": f"p{i}",
                    "parameterType": p["type"],
                    "feasibleSpace": {"list": p["list"]} if p["type"] == "categorical" else {"min": p["min"], "max": p["max"]},
                }
                for i, p in enumerate(params)
            ],
        },
    }
    return json.dumps(doc)  # JSON is YAML; every value stays a string


def _katiblint_errors(text: str, version: str = "0.19") -> list[str]:
    linter = Linter(parse({"select": CODES, "katib-version": version}, "oracle"))
    result = linter.lint_text(text, "oracle.yaml")
    return [f"{d.code} {d.message}" for d in result.diagnostics if d.severity == Severity.ERROR]


_int_bound = st.sampled_from(["-3", "0", "1", "4", "10"])
_double_bound = st.sampled_from(["-1", "0", "0.001", "0.5", "1", "10"])
_param = st.one_of(
    st.fixed_dictionaries({"type": st.just("int"), "min": _int_bound, "max": _int_bound}),
    st.fixed_dictionaries({"type": st.just("double"), "min": _double_bound, "max": _double_bound}),
    st.fixed_dictionaries({"type": st.just("categorical"), "list": st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=3, unique=True)}),
)
_settings = st.fixed_dictionaries(
    {},
    optional={
        "base_estimator": st.sampled_from(DRAWN_ESTIMATORS),
        "n_initial_points": st.sampled_from(["0", "1", "2", "-1", "two"]),
        "acq_func": st.sampled_from(["gp_hedge", "LCB", "EI", "PI", "EIps", "PIps", "ei"]),
        "acq_optimizer": st.sampled_from(["auto", "sampling", "lbfgs", "adam"]),
        "random_state": st.sampled_from(["0", "42", "4294967295", "4294967296", "-1"]),
    },
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(settings_=_settings, params=st.lists(_param, min_size=1, max_size=3))
def test_katiblint_agrees_with_skopt(settings_: dict[str, str], params: list[dict[str, object]]) -> None:
    text = settings_.get("n_initial_points", "10")
    initial = int(text) if text.lstrip("-").isdigit() else 10
    rounds = max(0, initial) + 2  # past the random phase: the first model fit happens
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        works = _katib_validates(settings_) and _optimizer_works(settings_, params, rounds)
    if works and settings_.get("base_estimator") in ("RF", "ET") and SKOPT_VERSION >= (0, 10):
        works = False  # Katib's image: skopt 0.9.0 + scikit-learn 1.3.0 (see the module docstring)
    errors = _katiblint_errors(_manifest(settings_, params))
    assert bool(errors) == (not works), f"skopt {'works' if works else 'fails'}; katiblint: {errors}"


def test_forest_estimators_depend_on_the_katib_release() -> None:
    text = _manifest({"base_estimator": "RF"}, [{"type": "double", "min": "0.01", "max": "0.1"}])
    assert any("criterion" in e for e in _katiblint_errors(text, "0.19"))
    assert not _katiblint_errors(text, "0.14")  # scikit-learn < 1.2 still took criterion='mse'
