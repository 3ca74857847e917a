"""KAT357 rejected-by-training-operator."""

from __future__ import annotations

from typing import Any, Iterator, Mapping as MappingType

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.yaml import Mapping, Node, Scalar
from katiblint.katib.experiment import PLACEHOLDER_RE, Experiment, as_str, mapping, mappings
from katiblint.registry import Rule, parent_key
from katiblint.rules._operators import OperatorKind, operator_kind, webhook_common
from katiblint.suggest import closest

_EFFECT = (
    "the training operator's webhook rejects every Trial's job, so no job is created: Trials stay Created and "
    "the Experiment never finishes"
)


def _quoted(values: list[str] | tuple[str, ...]) -> str:
    return ", ".join(f'"{v}"' for v in values)


def _literal_int(node: Node | None) -> int | None | str:
    """An int `replicas`, None when absent, or "unknown" (a placeholder or any other text)."""
    if node is None or (isinstance(node, Scalar) and node.value is None):
        return None
    if isinstance(node, Scalar) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    return "unknown"


def _templated(node: Node | None) -> bool:
    return isinstance(node, Scalar) and bool(PLACEHOLDER_RE.search(node.raw))


class RejectedByTrainingOperator(Rule):
    code = "KAT357"
    name = "rejected-by-training-operator"
    summary = "The training operator's own webhook rejects the trial job (replica types, containers, images, replicas)"

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        trial = exp.trial_spec
        op = operator_kind(exp.trial_kind, exp.trial_api_version)
        if trial is None or op is None or op.webhook is None:
            return  # MPIJob: training-operator v1.9 registers no validation for it
        spec = mapping(trial.get("spec"))
        if spec is None:
            return  # a missing spec is the CRD schema's finding
        yield from self._replica_specs(spec, op, op.webhook)
        yield from self._job(spec, op, op.webhook)

    def _replica_specs(self, spec: Mapping, op: OperatorKind, hook: MappingType[str, Any]) -> Iterator[Diagnostic]:
        path = f"spec.{op.replica_specs}"
        node = spec.get(op.replica_specs)
        if node is None or (isinstance(node, Scalar) and node.value is None):
            guess = closest(op.replica_specs, spec.keys())
            yield self.report(
                spec.key_node(op.replica_specs) or parent_key(spec),
                f"`{op.kind}` has no `{op.replica_specs}`; {_EFFECT} (`{path}: Required value: must be required`)",
                help=f"rename `{guess}` to `{op.replica_specs}`" if guess
                else f"describe the replicas under `spec.{op.replica_specs}`",
            )
            return
        replicas = mapping(node)
        if replicas is None:
            return
        common = webhook_common()
        allowed = tuple(str(t) for t in hook.get("replica_types") or ())
        for role, key_node, value in replicas.items():
            role_path = f"{path}[{role}]"
            if allowed and role not in allowed:
                fixed = op.canonical_role(role)
                yield self.report(
                    key_node,
                    f"replica type `{role}` is not one the `{op.kind}` webhook accepts; {_EFFECT} "
                    f'(`{role_path}: Unsupported value: "{role}": supported values: {_quoted(allowed)}`)',
                    help=(f"write `{fixed}`: the webhook compares replica types before any defaulting"
                          if fixed != role else f"use one of {', '.join(f'`{t}`' for t in allowed)}"),
                )
            yield from self._replica(mapping(value), key_node, role, role_path, op, hook, common)
        present = replicas.keys()
        for required in hook.get("required_types") or ():
            if required not in present:
                yield self.report(
                    parent_key(replicas),
                    f"`{op.kind}` has no `{required}` replica; {_EFFECT} "
                    f"(`{path}[{required}]: Required value: must be present`)",
                    help=f"add a `{required}` replica with `replicas: 1`",
                )
        unique = tuple(str(t) for t in hook.get("at_most_one_of") or ())
        both = [r for r in present if r in unique]
        if len(both) > 1:
            yield self.report(
                replicas.key_node(both[1]) or parent_key(replicas),
                f"`{op.kind}` has both {' and '.join(f'`{r}`' for r in both)}; {_EFFECT} "
                f"(`{path}: Forbidden: must not have more than 1 {' or '.join(unique)} role`)",
                help=f"keep one of {', '.join(f'`{r}`' for r in both)}",
            )

    def _replica(
        self,
        replica: Mapping | None,
        key_node: Node,
        role: str,
        role_path: str,
        op: OperatorKind,
        hook: MappingType[str, Any],
        common: MappingType[str, Any],
    ) -> Iterator[Diagnostic]:
        template = mapping(replica.get("template")) if replica is not None else None
        pod_spec = mapping(template.get("spec")) if template is not None else None
        containers_node = pod_spec.get("containers") if pod_spec is not None else None
        containers = mappings(containers_node)
        containers_path = f"{role_path}.template.spec.containers"
        if common.get("containers_required") and not containers and not _templated(containers_node):
            target = pod_spec.key_node("containers") if pod_spec is not None else None
            yield self.report(
                target or key_node,
                f"replica `{role}` has no containers; {_EFFECT} "
                f"(`{containers_path}: Required value: must be specified`)",
                help=f"add a container named `{op.default_container}` with an image",
            )
        elif containers:
            if common.get("image_required"):
                for i, container in enumerate(containers):
                    image = container.get("image")
                    # `container.Image == ""`: absent, null or the empty string
                    if image is None or (isinstance(image, Scalar) and (image.value is None or image.value == "")):
                        yield self.report(
                            (container.key_node("image") or container) if image is not None else _first_key(container),
                            f"container {i} of replica `{role}` has no image; {_EFFECT} "
                            f"(`{containers_path}[{i}].image: Required value: must be required`)",
                            help="set `image`",
                        )
            names = [c.get("name") for c in containers]
            if common.get("default_container_required") and not any(_templated(n) for n in names):
                if op.default_container not in [as_str(n) for n in names]:
                    have = ", ".join(f"`{as_str(n)}`" for n in names if as_str(n)) or "none"
                    yield self.report(
                        (pod_spec.key_node("containers") or pod_spec) if pod_spec is not None else key_node,
                        f"replica `{role}` has no container named `{op.default_container}` (it has {have}); {_EFFECT} "
                        f"(`{containers_path}: Required value: must have at least one container with name "
                        f"{op.default_container}`)",
                        help=f"name the training container `{op.default_container}` (and use that name as "
                        "`primaryContainerName`)",
                    )
        count_node = replica.get("replicas") if replica is not None else None
        count = _literal_int(count_node)
        if role in (hook.get("exactly_one") or ()) and count != 1 and count != "unknown":
            yield self.report(
                (replica.key_node("replicas") or replica) if replica is not None and count_node is not None else key_node,
                f"replica `{role}` must have `replicas: 1`"
                + (" (it is not set, and the webhook checks before any defaulting)" if count is None else "")
                + f"; {_EFFECT} (`{role_path}.replicas: Forbidden: must be 1`)",
                help="set `replicas: 1`",
            )
        if role in (hook.get("at_least_one") or ()) and isinstance(count, int) and count < 1:
            yield self.report(
                (replica.key_node("replicas") or replica) if replica is not None else key_node,
                f"replica `{role}` has `replicas: {count}`; {_EFFECT} "
                f"(`{role_path}.replicas: Forbidden: must be at least 1`)",
                help="set `replicas` to 1 or more, or remove the replica type",
            )

    def _job(self, spec: Mapping, op: OperatorKind, hook: MappingType[str, Any]) -> Iterator[Diagnostic]:
        elastic_role = hook.get("elastic_requires")
        elastic = mapping(spec.get("elasticPolicy"))
        replicas = mapping(spec.get(op.replica_specs))
        if elastic_role and elastic is not None and replicas is not None and elastic_role not in replicas.keys():
            yield self.report(
                spec.key_node("elasticPolicy") or parent_key(elastic),
                f"`elasticPolicy` needs a `{elastic_role}` replica; {_EFFECT} "
                f"(`spec.{op.replica_specs}[{elastic_role}]: Required value: "
                "must be configured if elastic policy is used`)",
                help=f"add a `{elastic_role}` replica",
            )
        if elastic_role and elastic is not None and "nProcPerNode" in elastic.keys() and "nprocPerNode" in spec.keys():
            yield self.report(
                elastic.key_node("nProcPerNode") or parent_key(elastic),
                f"`elasticPolicy.nProcPerNode` is set with `nprocPerNode`; {_EFFECT} "
                "(`spec.elasticPolicy.nProcPerNode: Forbidden: must not be used with spec.nprocPerNode`)",
                help="keep `spec.nprocPerNode` only (`elasticPolicy.nProcPerNode` is deprecated)",
            )
        run_policy = mapping(spec.get("runPolicy"))
        managed = run_policy.get("managedBy") if run_policy is not None else None
        supported = tuple(str(v) for v in webhook_common().get("managed_by") or ())
        text = as_str(managed)
        known = text is None or text in supported or _templated(managed)
        if supported and isinstance(managed, Scalar) and not known:
            yield self.report(
                managed,
                f"`runPolicy.managedBy: {text}` is not a controller the training operator knows; {_EFFECT} "
                f'(`spec.runPolicy.managedBy: Unsupported value: "{text}": supported values: {_quoted(supported)}`)',
                help=f"use one of {', '.join(f'`{v}`' for v in supported)}, or leave it out",
            )


def _first_key(container: Mapping) -> Node:
    """Where to point at a container without an `image`: its `name` key, else the item."""
    return container.key_node("name") or container
