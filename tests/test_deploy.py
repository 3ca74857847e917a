"""The webhook's kustomize manifests: rendered as `kubectl apply -k` would, valid for Kubernetes, and consistent.

Rendering applies what `kustomization.yaml` uses (resources, namespace, labels, images); each
Kubernetes object is validated against the API schemas of several releases (`kubernetes-validate`,
strict: no unknown fields). cert-manager objects have no schema there and are checked by hand.
"""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest
import yaml

from clirun import ROOT

DEPLOY = ROOT / "deploy" / "webhook"
CLUSTER_SCOPED = ("ValidatingWebhookConfiguration",)
CERT_MANAGER = "cert-manager.io/v1"


def render() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())
    assert set(kustomization) <= {"apiVersion", "kind", "namespace", "labels", "resources", "images"}, "render() handles these only"
    images = {i["name"]: f"{i['newName']}:{i['newTag']}" for i in kustomization.get("images", [])}
    objects = []
    for resource in kustomization["resources"]:
        for doc in yaml.safe_load_all((DEPLOY / resource).read_text()):
            if doc is None:
                continue
            meta = doc.setdefault("metadata", {})
            if doc["kind"] not in CLUSTER_SCOPED:
                meta["namespace"] = kustomization["namespace"]
            for entry in kustomization.get("labels", []):
                meta.setdefault("labels", {}).update(entry["pairs"])
            pod = doc.get("spec", {}).get("template", {}).get("spec", {})
            for container in pod.get("containers", []):
                container["image"] = images.get(container["image"], container["image"])
            objects.append(doc)
    return objects


def find(objects: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    (found,) = [o for o in objects if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)]
    return found


@pytest.mark.parametrize("version", ["1.29.0", "1.33.0", kubernetes_validate.latest_version()])
def test_every_kubernetes_object_is_valid(version: str) -> None:
    objects = [o for o in render() if o["apiVersion"] != CERT_MANAGER]
    assert sorted(o["kind"] for o in objects) == ["Deployment", "PodDisruptionBudget", "Service", "ValidatingWebhookConfiguration"]
    for obj in objects:
        kubernetes_validate.validate(obj, version, strict=True)


def test_the_objects_fit_together() -> None:
    objects = render()
    deployment = find(objects, "Deployment")
    service = find(objects, "Service")
    pdb = find(objects, "PodDisruptionBudget")
    hook_config = find(objects, "ValidatingWebhookConfiguration")
    certificate = find(objects, "Certificate")
    issuer = find(objects, "Issuer")
    namespace = deployment["metadata"]["namespace"]
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    for selector in (service["spec"]["selector"], pdb["spec"]["selector"]["matchLabels"], deployment["spec"]["selector"]["matchLabels"]):
        assert selector.items() <= pod_labels.items()

    (hook,) = hook_config["webhooks"]
    client = hook["clientConfig"]["service"]
    assert (client["name"], client["namespace"], client["path"], client["port"]) == (
        service["metadata"]["name"], namespace, "/validate", service["spec"]["ports"][0]["port"])
    assert hook["rules"] == [{"apiGroups": ["kubeflow.org"], "apiVersions": ["v1beta1"], "operations": ["CREATE", "UPDATE"],
                              "resources": ["experiments"], "scope": "Namespaced"}]
    assert hook["failurePolicy"] == "Ignore" and hook["sideEffects"] == "None" and hook["admissionReviewVersions"] == ["v1"]
    assert hook["namespaceSelector"]["matchExpressions"]
    # the server answers before the API server stops waiting
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    args = dict(a.split("=", 1) for a in container["args"][1:])
    assert container["args"][0] == "webhook"
    assert 0 < float(args["--timeout"]) < hook["timeoutSeconds"] <= 5

    # the certificate: issued into the mounted Secret, for the Service's name, its CA injected
    assert certificate["spec"]["issuerRef"] == {"kind": "Issuer", "name": issuer["metadata"]["name"]}
    assert f"{service['metadata']['name']}.{namespace}.svc" in certificate["spec"]["dnsNames"]
    assert hook_config["metadata"]["annotations"]["cert-manager.io/inject-ca-from"] == f"{namespace}/{certificate['metadata']['name']}"
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert volumes[mounts["/etc/katiblint/tls"]]["secret"]["secretName"] == certificate["spec"]["secretName"]
    assert args["--cert-file"] == "/etc/katiblint/tls/tls.crt" and args["--key-file"] == "/etc/katiblint/tls/tls.key"
    assert volumes[mounts["/etc/katib-config"]]["configMap"]["name"] == "katib-config"
    assert args["--katib-config"] == "/etc/katib-config/katib-config.yaml"

    # hardening and availability
    pod = deployment["spec"]["template"]["spec"]
    assert deployment["spec"]["replicas"] == 2 and pdb["spec"]["minAvailable"] == 1
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["automountServiceAccountToken"] is False
    assert container["securityContext"] == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}
    assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
    port = container["ports"][0]
    assert (port["name"], port["containerPort"], args["--port"]) == (service["spec"]["ports"][0]["targetPort"], 8443, "8443")
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "https", "scheme": "HTTPS"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "https", "scheme": "HTTPS"}
    assert container["image"] == "katiblint:0.1.0"


def test_the_dockerfile_runs_the_webhook_as_the_deployments_user() -> None:
    text = (DEPLOY / "Dockerfile").read_text()
    deployment = find(render(), "Deployment")
    user = deployment["spec"]["template"]["spec"]["securityContext"]["runAsUser"]
    assert f"USER {user}:{user}" in text
    assert "pip install '.[webhook]'" in text
    assert 'ENTRYPOINT ["katiblint"]' in text
