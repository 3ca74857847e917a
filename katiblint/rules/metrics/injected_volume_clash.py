"""KAT418 injected-volume-clash.

Katib's pod webhook adds volumes to the pods it injects the metrics collector into
(`pkg/webhook/v1beta1/pod/inject_webhook.go` `Mutate`): `metrics-volume`, an emptyDir for the
metrics file (`mutateMetricsCollectorVolume`, when the collector has a file path), and for pbt
`suggestion-volume`, the suggestion's PVC mounted at `suggestion_trial_dir` in the primary
container (`mutateSuggestionVolume`). Pod validation rejects duplicate volume names and two mounts
at one path in a container, so a pod template that already uses either is never created.
"""

from __future__ import annotations

import posixpath
from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic
from katiblint.katib.experiment import Experiment, as_str, mapping, mappings
from katiblint.registry import Rule
from katiblint.rules._collector import collector, collector_pods, mount_dir
from katiblint.rules._search_space import setting_values

METRICS_VOLUME = "metrics-volume"  # pkg/apis/controller/common/v1beta1 MetricsVolume
SUGGESTION_VOLUME = "suggestion-volume"  # pkg/controller.v1beta1/consts ContainerSuggestionVolumeName
REJECTED = "Kubernetes rejects every trial pod, so none is ever created and the Trial stays Running"


class InjectedVolumeClash(Rule):
    code = "KAT418"
    name = "injected-volume-clash"
    summary = "A trial pod volume or mount that clashes with one Katib's pod webhook adds"

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        c = collector(exp)
        if c.kind == "Push" or not exp.pod_templates:
            return  # Mutate returns before any volume for Push
        # getMountPath: StdOut always writes /var/log/katib/metrics.log; the others their file path
        metrics = c.kind == "StdOut" or mount_dir(c) is not None
        trial_dir = None
        if exp.algorithm_name == "pbt":
            value, _ = setting_values(exp).get("suggestion_trial_dir", (None, None))
            trial_dir = posixpath.normpath(value) if value and value.startswith("/") else None
        primary = exp.primary_container_name
        for pod in collector_pods(exp):
            spec = mapping(pod.node.get("spec"))
            if spec is None:
                continue
            for volume in mappings(spec.get("volumes")):
                name_node = volume.get("name")
                name = as_str(name_node)
                if (name == METRICS_VOLUME and metrics) or (name == SUGGESTION_VOLUME and trial_dir):
                    what = ("the metrics volume" if name == METRICS_VOLUME
                            else "pbt's checkpoint volume")
                    yield self.report(
                        name_node or volume,
                        f"volume `{name}` has the name Katib's pod webhook gives {what} it adds to the pod; "
                        f"two volumes with one name make the pod invalid: {REJECTED}",
                        help=f"rename the volume (and its volumeMounts), e.g. `{name}-data`",
                    )
            if trial_dir is None:
                continue
            for container in pod.containers:
                if container.name != primary:
                    continue
                for mount in mappings(container.node.get("volumeMounts")):
                    path_node = mount.get("mountPath")
                    path = as_str(path_node)
                    if path and posixpath.normpath(path) == trial_dir:
                        yield self.report(
                            path_node or mount,
                            f"Katib's pod webhook mounts pbt's checkpoint volume at `suggestion_trial_dir` "
                            f"`{trial_dir}` in the primary container, where `{as_str(mount.get('name'))}` is already "
                            f"mounted; two mounts at one path make the pod invalid: {REJECTED}",
                            help="set `suggestion_trial_dir` to a path the container does not mount anything at",
                        )
