"""KAT417 collector-waits-for-sidecar.

Katib's file and TF-event metrics collectors wait for the processes of the trial pod before they
report (`pkg/metricscollector/v1beta1/common/pns.go`, `GetMainProcesses`, `WaitPIDs`): every
process whose parent is outside the pod's shared PID namespace, that is the first process of each
container, with `waitAllProcesses` true by default. A native sidecar (an init container with
`restartPolicy: Always`) is running when the collector starts and is stopped by the kubelet only
after every regular container, the collector among them, has exited: the two wait for each other.
"""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.katib.experiment import Experiment, as_str, mapping, mappings
from katiblint.registry import Rule
from katiblint.rules._collector import collector_pods
from katiblint.rules._runtime import collector_kind

# pkg/webhook/v1beta1/pod: the collectors Katib builds itself, all of which wait with pns
WAITING_KINDS = ("StdOut", "File", "TensorFlowEvent")


class CollectorWaitsForSidecar(Rule):
    code = "KAT417"
    name = "collector-waits-for-sidecar"
    summary = "A native sidecar in the trial pod, which the metrics collector waits for forever"

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        kind = collector_kind(exp)
        if kind not in WAITING_KINDS or not exp.pod_templates:
            return
        for pod in collector_pods(exp):
            spec = mapping(pod.node.get("spec"))
            for init in mappings(spec.get("initContainers")) if spec is not None else []:
                policy = init.get("restartPolicy")
                if as_str(policy) != "Always":
                    continue
                name = as_str(init.get("name")) or "?"
                yield self.report(
                    policy if policy is not None else init,
                    f"init container `{name}` is a native sidecar (`restartPolicy: Always`): Katib's `{kind}` "
                    "metrics collector waits for every container's process to end before it reports, and "
                    "Kubernetes stops a native sidecar only after the collector has ended, so the collector never "
                    "reports metrics, the pod never completes and the Trial stays Running",
                    help="run the sidecar as a plain container that exits when training ends, or set "
                    "`waitAllProcesses: false` for this collector in katib-config (it then waits for the training only)",
                    path=init.path,
                )
