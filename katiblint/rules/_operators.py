"""The training operators' facts (`rules/data/training-operators.yaml`): labels and webhooks.

The data file records, per Kubeflow job kind, what training-operator v1.9 does with a Trial's job:
which pod it labels `training.kubeflow.org/job-role: master` (`IsMasterRole`) and what its
admission webhook rejects. Rules read it through these functions.
"""

from __future__ import annotations

from functools import lru_cache
from types import MappingProxyType
from typing import Any, Mapping, NamedTuple

from katiblint.katib.catalog import read_data_file

DATA_FILE = "training-operators.yaml"


class OperatorKind(NamedTuple):
    kind: str
    api_version: str
    replica_specs: str  # `pytorchReplicaSpecs`
    replica_types: tuple[str, ...]  # as the defaulter camel-cases them
    default_container: str
    master_roles: tuple[str, ...]  # IsMasterRole picks these when one of them exists
    otherwise_role: str | None  # ... else this role (None: any role) at `otherwise_index`
    otherwise_index: int | None  # None: no fallback
    no_index_roles: tuple[str, ...]  # roles whose pods get no replica-index label
    master_source: str
    webhook: Mapping[str, Any] | None  # None: the operator validates nothing
    camel_case: bool = True  # the defaulter renames `worker` to `Worker`
    default_replicas: Mapping[str, int] = MappingProxyType({})  # an absent `replicas` per type (else 1)

    def canonical_role(self, role: str) -> str:
        """The replica type the controller sees for a key written `role` (`worker` -> `Worker`)."""
        if not self.camel_case:
            return role
        for known in self.replica_types:
            if known.lower() == role.lower():
                return known
        return role

    def is_master(self, role: str, index: int, roles: list[str]) -> bool:
        """`IsMasterRole(replicas, rtype, index)` for the (canonical) `roles` of the job."""
        if self.master_roles and any(r in self.master_roles for r in roles):
            return role in self.master_roles
        if self.otherwise_index is None:
            return False
        return (self.otherwise_role is None or role == self.otherwise_role) and index == self.otherwise_index

    def master_text(self) -> str:
        """Which pod is the master, in words (`the Master pod, else worker 0`)."""
        named = " or ".join(f"`{r}`" for r in self.master_roles)
        if self.otherwise_index is None:
            return f"the {named} pod"
        fallback = (
            f"`{self.otherwise_role}` pod {self.otherwise_index}"
            if self.otherwise_role
            else f"the pod of index {self.otherwise_index} of each replica type"
        )
        return f"the {named} pod, else {fallback}" if named else fallback


class PodLabelKeys(NamedTuple):
    open: tuple[str, ...]  # values Katib generates (job name): any value may match
    replica_type: str
    replica_index: str
    job_role: tuple[str, str]


def _kind(name: str, data: dict[str, Any]) -> OperatorKind:
    master = data.get("master") or {}
    otherwise = master.get("otherwise")
    webhook = data.get("webhook")
    return OperatorKind(
        kind=name,
        api_version=str(data.get("api_version", "")),
        replica_specs=str(data.get("replica_specs", "")),
        replica_types=tuple(str(r) for r in data.get("replica_types") or ()),
        default_container=str(data.get("default_container", "")),
        master_roles=tuple(str(r) for r in master.get("roles") or ()),
        otherwise_role=str(otherwise["role"]) if isinstance(otherwise, dict) and otherwise.get("role") else None,
        otherwise_index=int(otherwise["index"]) if isinstance(otherwise, dict) and "index" in otherwise else None,
        no_index_roles=tuple(str(r) for r in data.get("no_index_roles") or ()),
        master_source=str(data.get("master_source", "")),
        webhook=webhook if isinstance(webhook, dict) else None,
        camel_case=bool(data.get("camel_case", True)),
        default_replicas={str(k): int(v) for k, v in (data.get("default_replicas") or {}).items()},
    )


@lru_cache(maxsize=None)
def _data() -> dict[str, Any]:
    raw = read_data_file(DATA_FILE)
    return raw if isinstance(raw, dict) else {}


@lru_cache(maxsize=None)
def operator_kinds() -> dict[str, OperatorKind]:
    """Training-operator job kinds by `kind`."""
    kinds = _data().get("kinds") or {}
    return {str(k): _kind(str(k), v or {}) for k, v in kinds.items()}


def operator_kind(kind: str | None, api_version: str | None) -> OperatorKind | None:
    """The facts for a trialSpec's kind, if the training operator serves it (group `kubeflow.org`)."""
    found = operator_kinds().get(kind or "")
    if found is None or (api_version is not None and api_version != found.api_version):
        return None
    return found


@lru_cache(maxsize=None)
def pod_label_keys() -> PodLabelKeys:
    labels = _data().get("pod_labels") or {}
    role = labels.get("job_role") or {}
    return PodLabelKeys(
        open=tuple(str(k) for k in labels.get("open") or ()),
        replica_type=str(labels.get("replica_type", "")),
        replica_index=str(labels.get("replica_index", "")),
        job_role=(str(role.get("key", "")), str(role.get("value", ""))),
    )


def webhook_common() -> dict[str, Any]:
    found = _data().get("webhook_common") or {}
    return found if isinstance(found, dict) else {}


def trainjob_primary_pod_labels() -> dict[str, str]:
    """Katib's default primaryPodLabels for a TrainJob trial."""
    labels = (_data().get("trainjob") or {}).get("default_primary_pod_labels") or {}
    return {str(k): str(v) for k, v in labels.items()}


class StockRuntimes(NamedTuple):
    """Trainer's stock ClusterTrainingRuntimes: their names and the container that runs training."""

    kind: str
    names: tuple[str, ...]
    trainer_container: str
    release: str


def stock_runtimes() -> StockRuntimes:
    found = (_data().get("trainjob") or {}).get("stock_runtimes") or {}
    return StockRuntimes(
        str(found.get("kind", "ClusterTrainingRuntime")),
        tuple(str(n) for n in found.get("names") or ()),
        str(found.get("trainer_container", "")),
        releases().get("trainer", ""),
    )


def releases() -> dict[str, str]:
    """`training_operator` / `trainer` -> the release the data was transcribed from."""
    return {k: str((_data().get(k) or {}).get("release", "")) for k in ("training_operator", "trainer")}
