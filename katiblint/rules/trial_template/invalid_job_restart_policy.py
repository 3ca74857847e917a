"""KAT351 invalid-job-restart-policy."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Edit, Fix, FixAvailability
from katiblint.fix.edits import insert_entry, replace_scalar
from katiblint.yaml import Scalar
from katiblint.katib.experiment import Experiment, as_str, mapping
from katiblint.registry import Rule, parent_key

ALLOWED = ("Never", "OnFailure")


class InvalidJobRestartPolicy(Rule):
    code = "KAT351"
    name = "invalid-job-restart-policy"
    summary = "A batch Job pod template without `restartPolicy: Never` or `OnFailure`"
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        api = exp.trial_api_version or ""
        if exp.trial_kind == "Job" and api.startswith("batch/"):
            pass
        elif exp.trial_kind == "JobSet" and api.startswith("jobset.x-k8s.io/"):
            pass
        else:
            return  # other controllers (Training Operator, Argo, Tekton) set the pod restart policy
        for pod in exp.pod_templates or []:
            spec = mapping(pod.node.get("spec"))
            if spec is None:
                continue
            node = spec.get("restartPolicy")
            value = as_str(node)
            if value in ALLOWED:
                continue
            # the API server validates Job pod templates (ValidateJobSpec): only Never/OnFailure
            if node is None:
                edit: Edit | None = insert_entry(exp.source, spec, ["restartPolicy: Never"]) if spec.pairs else None
                yield self.report(
                    parent_key(spec),
                    f"the Job pod template `{pod.label}` has no `restartPolicy`; Kubernetes defaults it to "
                    "`Always`, which a Job rejects, so every Trial's Job is refused and the Trial stays Created",
                    help="add `restartPolicy: Never` (or `OnFailure`) to the pod spec",
                    fix=Fix.safe("add `restartPolicy: Never`", edit) if edit else None,
                    path=f"{spec.path}.restartPolicy",
                )
                continue
            fix = Fix.unsafe("set `restartPolicy: Never`", replace_scalar(node, "Never")) if isinstance(node, Scalar) else None
            yield self.report(
                node,
                f"`restartPolicy: {value if value is not None else node.raw if isinstance(node, Scalar) else '...'}` "
                "is not allowed in a Job pod template (only `Never` or `OnFailure`); Kubernetes rejects every "
                "Trial's Job and the Trial stays Created",
                help="use `restartPolicy: Never` (or `OnFailure` to retry the container in place)",
                fix=fix,
            )
