"""`katiblint webhook` over real HTTPS: the AdmissionReviews an API server sends, and what it gets back."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from clirun import BAD, GOOD, katiblint
from webhookrun import Webhook, admission_review, issue

UID = "705ab4f5-6393-11e8-b7cc-42010a800002"
KAT302 = (
    "KAT302 spec.trialTemplate.trialSpec.spec.template.spec.containers[0].command[3]: `${trialParameters.batchSize}` "
    "is not declared in spec.trialTemplate.trialParameters; the webhook rejects the Experiment"
)
KAT302_HELP = "declare `batchSize` under trialParameters with the spec.parameters entry it takes its value from (`reference`)"
KATIB_CONFIG = """\
apiVersion: config.kubeflow.org/v1beta1
kind: KatibConfig
runtime:
  suggestions:
    - algorithmName: random
      image: ghcr.io/kubeflow/katib/suggestion-hyperopt:latest
    - algorithmName: house-bayes
      image: registry.example.com/katib/suggestion-skopt:v0.17.0
"""


def good() -> dict[str, Any]:
    return yaml.safe_load(GOOD)


def bad() -> dict[str, Any]:
    return yaml.safe_load(BAD)


def warned() -> dict[str, Any]:
    exp = good()
    exp["spec"]["maxTrialCountt"] = 5  # a typo: the API server drops the field
    return exp


def stored(exp: dict[str, Any]) -> dict[str, Any]:
    """The Experiment as the API server hands it over: server fields, Katib's defaults, a status."""
    exp = copy.deepcopy(exp)
    exp["metadata"].update({"uid": "1b2c3d", "resourceVersion": "4711", "generation": 1, "creationTimestamp": "2026-01-01T00:00:00Z",
                            "finalizers": ["update-prometheus-metrics"]})
    exp["spec"].update({"parallelTrialCount": 3, "maxFailedTrialCount": 3, "resumePolicy": "Never",
                        "metricsCollectorSpec": {"collector": {"kind": "StdOut"}}})
    exp["status"] = {"startTime": "2026-01-01T00:00:00Z", "trials": 2,
                     "conditions": [{"type": "Running", "status": "True", "reason": "ExperimentRunning"}]}
    return exp


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Webhook]:
    folder = tmp_path_factory.mktemp("webhook")
    (folder / "katib-config.yaml").write_text(KATIB_CONFIG)
    hook = Webhook(folder, "--katib-config", str(folder / "katib-config.yaml"), "--max-body-bytes", "65536")
    yield hook
    hook.stop()


def test_a_correct_experiment_is_allowed(server: Webhook) -> None:
    status, answer = server.review(admission_review(good()))
    assert status == 200
    assert answer == {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": {"uid": UID, "allowed": True}}


def test_an_error_denies_with_one_message_listing_code_field_message_and_help(server: Webhook) -> None:
    status, answer = server.review(admission_review(bad()))
    assert status == 200
    assert answer["response"] == {
        "uid": UID,
        "allowed": False,
        "status": {
            "code": 403,
            "reason": "Forbidden",
            "message": f"katiblint: 1 finding the cluster should not accept:\n- {KAT302} (help: {KAT302_HELP})",
        },
    }


def test_a_warning_comes_back_as_an_admission_warning(server: Webhook) -> None:
    status, answer = server.review(admission_review(warned()))
    assert status == 200
    assert answer["response"]["allowed"] is True
    assert answer["response"]["warnings"] == [
        "KAT011 spec.maxTrialCountt: `maxTrialCountt` is not a field of `spec` (ExperimentSpec); Katib's defaulting "
        "webhook drops it silently (did you mean `maxTrialCount`?): the Experiment has no trial limit"
    ]


def test_the_review_is_logged_as_one_json_line(server: Webhook) -> None:
    server.review(admission_review(bad(), uid="log-me"))
    deadline = time.monotonic() + 10
    while not [e for e in server.logs("review") if e["uid"] == "log-me"] and time.monotonic() < deadline:
        time.sleep(0.05)
    (entry,) = [e for e in server.logs("review") if e["uid"] == "log-me"]
    assert {k: entry[k] for k in ("level", "logger", "operation", "namespace", "name", "allowed", "checked", "codes", "warnings")} == {
        "level": "info", "logger": "katiblint.webhook", "operation": "CREATE", "namespace": "kubeflow", "name": "random",
        "allowed": False, "checked": True, "codes": ["KAT302"], "warnings": 0,
    }
    assert entry["duration_ms"] > 0


def test_the_mounted_katib_config_makes_custom_algorithms_known(server: Webhook) -> None:
    exp = good()
    exp["spec"]["algorithm"]["algorithmName"] = "house-bayes"
    assert server.review(admission_review(exp))[1]["response"]["allowed"] is True
    exp["spec"]["algorithm"]["algorithmName"] = "house-baye"
    answer = server.review(admission_review(exp))[1]["response"]
    assert answer["allowed"] is False and "\n- KAT201 spec.algorithm.algorithmName: " in answer["status"]["message"]


def test_update_of_an_immutable_field_is_denied(server: Webhook) -> None:
    old = stored(good())
    new = copy.deepcopy(old)
    new["spec"]["objective"]["objectiveMetricName"] = "accuracy"
    new["spec"]["maxTrialCount"] = 8  # editable: not reported
    answer = server.review(admission_review(new, "UPDATE", old))[1]["response"]
    assert answer["allowed"] is False
    assert answer["status"]["message"] == (
        "katiblint: 1 finding the cluster should not accept:\n"
        "- KAT062 spec.objective.objectiveMetricName: `spec.objective.objectiveMetricName` is changed on the applied "
        "Experiment `random`; Katib only lets `parallelTrialCount`, `maxTrialCount` and `maxFailedTrialCount` change, "
        "so the cluster rejects this edit (help: create a new Experiment under a new name for a different search, or "
        "delete the old one before applying)"
    )


def test_update_does_not_repeat_what_the_stored_object_already_had(server: Webhook) -> None:
    old = stored(bad())  # admitted before the webhook was installed
    new = copy.deepcopy(old)
    new["spec"]["parallelTrialCount"] = 1
    assert server.review(admission_review(new, "UPDATE", old))[1]["response"] == {"uid": UID, "allowed": True}
    # the controller removing its finalizer from an Experiment being deleted
    gone = copy.deepcopy(old)
    gone["metadata"].update({"deletionTimestamp": "2026-01-02T00:00:00Z", "finalizers": []})
    gone["spec"]["objective"]["objectiveMetricName"] = "whatever"
    assert server.review(admission_review(gone, "UPDATE", old))[1]["response"] == {"uid": UID, "allowed": True}


def test_malformed_json_is_a_clear_400(server: Webhook) -> None:
    status, answer = server.review(b'{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {')
    assert status == 400
    assert answer == {"error": "the request body is not JSON: Expecting property name enclosed in double quotes: line 1 column 78 (char 77)"}
    status, answer = server.review(b"\xff\xfe garbage")
    assert status == 400 and answer["error"].startswith("the request body is not JSON: ")


def test_what_is_not_an_admission_review_is_a_400(server: Webhook) -> None:
    assert server.review({"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview", "request": {"uid": "x"}}) == (
        400, {"error": "expected an admission.k8s.io/v1 AdmissionReview, got admission.k8s.io/v1beta1/AdmissionReview"})
    review = admission_review(good())
    del review["request"]["uid"]
    assert server.review(review) == (400, {"error": "the AdmissionReview request has no `uid`"})
    assert server.review([1, 2]) == (400, {"error": "the request body is not a JSON object; expected an AdmissionReview"})


def test_a_review_of_another_kind_is_allowed_with_a_warning(server: Webhook) -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"}, "spec": {"containers": []}}
    assert server.review(admission_review(pod))[1]["response"] == {
        "uid": UID, "allowed": True, "warnings": ["katiblint checks kubeflow.org Experiments only; this Pod was not checked"]}
    assert server.review(admission_review(good(), "DELETE"))[1]["response"] == {"uid": UID, "allowed": True}
    assert server.review(admission_review(None))[1]["response"] == {
        "uid": UID, "allowed": True, "warnings": ["katiblint checks kubeflow.org Experiments only; this request's object was not checked"]}


def test_an_oversized_body_is_refused_before_it_is_read(server: Webhook) -> None:
    exp = good()
    exp["metadata"]["annotations"] = {"note": "x" * 70000}
    status, answer = server.review(admission_review(exp))
    assert (status, answer) == (413, {"error": "the request body is larger than 65536 bytes"})
    assert server.get("/healthz") == (200, b"ok\n")  # and the server goes on


def test_hostile_yaml_inside_json_is_data_not_yaml(server: Webhook) -> None:
    # A body that is YAML, with an alias bomb: not JSON, refused before any YAML parser sees it.
    bomb = b'a: &a ["x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\n'
    status, answer = server.review(bomb)
    assert status == 400 and answer["error"].startswith("the request body is not JSON")
    # JSON whose strings look like YAML (aliases, tags, documents, flow collections): values, not structure.
    exp = bad()
    exp["metadata"]["annotations"] = {"a": "&a [*a, *a]", "b": "!!python/object/apply:os.system ['true']", "c": "---\n...\n{[", "d": "*a"}
    exp["metadata"]["labels"] = {"!!binary": "&x"}
    started = time.monotonic()
    status, answer = server.review(admission_review(exp))
    assert status == 200 and time.monotonic() - started < 5
    assert answer["response"]["allowed"] is False
    assert answer["response"]["status"]["message"] == f"katiblint: 1 finding the cluster should not accept:\n- {KAT302} (help: {KAT302_HELP})"
    # Nesting past any Experiment: refused by the parser, or admitted unchecked with a warning.
    assert server.review(b"[" * 30000 + b"]" * 30000) == (400, {"error": "the request body is nested too deeply to be an AdmissionReview"})
    deep: Any = "leaf"
    for _ in range(150):
        deep = {"x": deep}
    exp = good()
    exp["spec"]["trialTemplate"]["trialSpec"]["spec"]["deep"] = deep
    assert server.review(admission_review(exp))[1]["response"] == {
        "uid": UID, "allowed": True, "warnings": ["katiblint could not check this Experiment: it is nested deeper than 100 levels"]}


def test_probes_and_wrong_routes(server: Webhook) -> None:
    assert server.get("/healthz") == (200, b"ok\n")
    assert server.get("/readyz") == (200, b"ok\n")
    assert server.request("GET", "/validate") == (405, b'{"error": "use POST with an AdmissionReview"}\n')
    assert server.request("POST", "/mutate", b"{}") == (404, b'{"error": "no such path; the webhook serves POST /validate"}\n')


def test_connections_are_kept_alive(server: Webhook) -> None:
    conn = server.connect()
    try:
        assert server.review(admission_review(good()), conn)[0] == 200
        sock = conn.sock
        assert sock is not None
        assert server.review(admission_review(bad()), conn)[1]["response"]["allowed"] is False
        assert conn.sock is sock  # the same TLS connection served both
    finally:
        conn.close()


def test_dry_run_only_warns(tmp_path: Path) -> None:
    hook = Webhook(tmp_path, "--dry-run")
    try:
        assert hook.review(admission_review(bad()))[1]["response"] == {"uid": UID, "allowed": True, "warnings": [f"would deny: {KAT302}"]}
    finally:
        hook.stop()


def test_deny_on_warning_and_the_time_limit(tmp_path: Path) -> None:
    hook = Webhook(tmp_path / "warning", "--deny-on", "warning")
    try:
        answer = hook.review(admission_review(warned()))[1]["response"]
        assert answer["allowed"] is False and answer["status"]["message"].startswith(
            "katiblint: 1 finding the cluster should not accept:\n- KAT011 spec.maxTrialCountt: `maxTrialCountt` is not a field")
    finally:
        hook.stop()
    hook = Webhook(tmp_path / "slow", "--timeout", "0.05")
    try:
        huge = bad()  # 20,000 annotations, 1.3 MB: checking it takes well over 50 ms
        huge["metadata"]["annotations"] = {f"note-{i}": "x" * 50 for i in range(20000)}
        assert hook.review(admission_review(huge))[1]["response"] == {
            "uid": UID, "allowed": True, "warnings": ["katiblint did not check this Experiment: checking took longer than 0.05s"]}
        assert [e["uid"] for e in hook.wait_for_log("timeout")] == [UID]
    finally:
        hook.stop()


def test_a_rotated_certificate_and_an_edited_katib_config_are_used_without_a_restart(tmp_path: Path) -> None:
    import ssl

    config = tmp_path / "katib-config.yaml"
    config.write_text(KATIB_CONFIG)
    hook = Webhook(tmp_path, "--reload-interval", "0.1", "--katib-config", str(config))
    try:
        exp = good()
        exp["spec"]["algorithm"]["algorithmName"] = "team-tpe"
        assert hook.review(admission_review(exp))[1]["response"]["allowed"] is False
        tmp = tmp_path / ".katib-config.new"  # a ConfigMap update: the new file appears whole
        tmp.write_text(KATIB_CONFIG + "    - algorithmName: team-tpe\n      image: registry.example.com/katib/suggestion-optuna:v0.17.0\n")
        tmp.replace(config)
        deadline = time.monotonic() + 20
        while not hook.review(admission_review(exp))[1]["response"]["allowed"]:
            assert time.monotonic() < deadline, hook.lines
            time.sleep(0.1)
        assert hook.wait_for_log("katib-config reloaded")

        old_ca = hook.ca
        assert hook.review(admission_review(good()))[0] == 200
        new_ca = issue(tmp_path)  # cert-manager renews: a new key and certificate in the Secret
        deadline = time.monotonic() + 20
        while True:
            try:
                status, _ = hook.request("GET", "/healthz", conn=hook.connect(new_ca))
                break
            except ssl.SSLError:
                assert time.monotonic() < deadline, hook.lines
                time.sleep(0.1)
        assert status == 200
        with pytest.raises(ssl.SSLError):
            hook.request("GET", "/healthz", conn=hook.connect(old_ca))
        assert hook.wait_for_log("certificate reloaded")
    finally:
        hook.stop()


def test_bad_options_and_files_are_clear_errors(tmp_path: Path) -> None:
    run = katiblint("webhook", "--cert-file", "nope.crt", "--key-file", "nope.key", cwd=tmp_path)
    assert (run.code, run.err) == (2, "katiblint: error: nope.crt: file not found\n")
    (tmp_path / "tls.crt").write_text("not a certificate")
    (tmp_path / "tls.key").write_text("not a key")
    run = katiblint("webhook", "--cert-file", "tls.crt", "--key-file", "tls.key", cwd=tmp_path)
    assert run.code == 2 and run.err.startswith("katiblint: error: cannot load the TLS certificate tls.crt / key tls.key: ")
    run = katiblint("webhook", "--cert-file", "tls.crt", "--key-file", "tls.key", "--select", "KAT9x", cwd=tmp_path)
    assert (run.code, run.err) == (2, "katiblint: error: --select: `KAT9x` is not a rule code, prefix or name\n")
    run = katiblint("webhook", "--cert-file", "tls.crt", "--key-file", "tls.key", "--timeout", "60", cwd=tmp_path)
    assert (run.code, run.err) == (2, "katiblint: error: --timeout: between 0 and 30 seconds (the API server waits at most 30)\n")


# -- any body: a 400, or an answer for its uid; never an exception (in process, many bodies) ------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from katiblint.api import Checker  # noqa: E402
from katiblint.webhook.review import BadReview, Policy, Reviewer, parse, response  # noqa: E402

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=30,
)
REVIEWER = Reviewer(Checker(), Policy())


def mutated(base: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    exp = copy.deepcopy(base)
    node: Any = exp
    for key in path[:-1]:
        node = node.setdefault(key, {}) if isinstance(node, dict) else node
    if isinstance(node, dict):
        node[path[-1]] = value
    return exp


FIELDS = st.sampled_from([
    ["spec"], ["metadata"], ["spec", "parameters"], ["spec", "trialTemplate"], ["spec", "trialTemplate", "trialSpec"],
    ["spec", "objective", "goal"], ["spec", "algorithm"], ["spec", "trialTemplate", "trialParameters"], ["kind"],
    ["spec", "maxTrialCount"], ["spec", "metricsCollectorSpec"], ["metadata", "name"],
])


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(field=FIELDS, value=JSON, operation=st.sampled_from(["CREATE", "UPDATE", "DELETE", "CONNECT", ""]),
       old=st.none() | JSON | st.tuples(FIELDS, JSON).map(lambda fv: mutated(stored(good()), *fv)))
def test_any_review_gets_an_answer(field: list[str], value: Any, operation: str, old: Any) -> None:
    obj = mutated(bad(), field, value)
    body = json.dumps(admission_review(obj, operation, old)).encode()
    request = parse(body)
    verdict = REVIEWER.judge(request)
    answer = response(request.uid, verdict)
    assert answer["response"]["uid"] == UID
    assert isinstance(answer["response"]["allowed"], bool)
    assert all(isinstance(w, str) and len(w) <= 512 for w in answer["response"].get("warnings", []))


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(body=st.binary(max_size=200) | JSON.map(lambda v: json.dumps(v).encode()))
def test_any_body_is_an_admission_review_or_a_bad_review(body: bytes) -> None:
    try:
        request = parse(body)
    except BadReview as exc:
        assert str(exc)
    else:
        assert request.uid


def test_many_warnings_are_capped_and_long_ones_clipped() -> None:
    from katiblint.api import Finding
    from katiblint.diagnostics import Severity

    def finding(i: int, message: str = "a warning") -> Finding:
        return Finding(code="KAT575", name="duplicate-list-item", severity=Severity.WARNING, message=message, help=None,
                       field_path=f"spec.parameters[{i}].feasibleSpace.list", fix_title=None, fix_applicability=None,
                       line=None, column=None, end_line=None, end_column=None, document=0, object_name="random")

    verdict = REVIEWER.verdict([finding(i) for i in range(25)])
    assert verdict.allowed and len(verdict.warnings) == 20
    assert verdict.warnings[0] == "KAT575 spec.parameters[0].feasibleSpace.list: a warning"
    assert verdict.warnings[-1] == "... and 6 more katiblint warnings; run katiblint on the manifest to see them all"
    denied = Reviewer(REVIEWER.checker, Policy(deny_on=Severity.WARNING)).verdict([finding(i) for i in range(25)])
    assert not denied.allowed and denied.warnings == []
    assert denied.message.splitlines()[1:3] == ["- KAT575 spec.parameters[0].feasibleSpace.list: a warning"] + [
        "- KAT575 spec.parameters[1].feasibleSpace.list: a warning"]
    assert denied.message.splitlines()[-1] == "- ... and 5 more; run katiblint on the manifest to see them all"
    assert len(denied.message.splitlines()) == 22
    (clipped,) = REVIEWER.verdict([finding(0, "two\nlines " + "x" * 600)]).warnings
    assert len(clipped) == 512 and clipped.startswith("KAT575 spec.parameters[0].feasibleSpace.list: two lines xxx")
    assert clipped.endswith("x...")
