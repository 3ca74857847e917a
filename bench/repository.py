"""A repository of YAML that is not Katib's: what `katiblint .` meets in a real GitOps or ML repository.

Used by the benchmark's `repo` case and by `tests/test_repository.py`. None of it may produce a
finding. `make_repository` writes it into a folder (a git repository), with a data file of the
given size.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

MKDOCS = """\
site_name: Katib notes
markdown_extensions:
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
"""

CLOUDFORMATION = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${AWS::StackName}-artifacts"
Outputs:
  Name:
    Value: !Ref Bucket
"""

VAULT = """\
db_password: !vault |
  $ANSIBLE_VAULT;1.1;AES256
  62313365396662343061393464336163383764373764613633653634306231386433626436623361
"""

HELM_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "chart.fullname" . }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  template:
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
"""

DUPLICATE_CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  lr: "0.01"
  lr: "0.02"
"""

# An Experiment of another group (Iter8) is someone else's, even with a broken body.
ITER8 = """\
apiVersion: iter8.tools/v2alpha2
kind: Experiment
metadata:
  name: quickstart
spec:
  target: default/sample-app
  target: twice
"""


HELM_CHARTS = 40  # Helm templates of Deployments, Services and ConfigMaps
PLAIN_MANIFESTS = 200  # ordinary Kubernetes manifests


def make_repository(root: Path, data_megabytes: int, extra: dict[str, str] | None = None) -> None:
    """Write the repository: the files above, `extra` (name -> text), a data file, `git init`."""
    files = {
        "mkdocs.yml": MKDOCS,
        "infra/stack.yaml": CLOUDFORMATION,
        "ansible/group_vars/all.yml": VAULT,
        "k8s/settings.yaml": DUPLICATE_CONFIGMAP,
        "k8s/iter8.yaml": ITER8,
        **{f"charts/app{i}/templates/deployment.yaml": HELM_DEPLOYMENT for i in range(HELM_CHARTS)},
        **{f"k8s/apps/app{i}.yaml": DUPLICATE_CONFIGMAP.replace("settings", f"app{i}") for i in range(PLAIN_MANIFESTS)},
        **(extra or {}),
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    row = b"- {id: 12345, label: cat, score: 0.98, box: [10, 20, 30, 40]}\n"
    rows = data_megabytes * 1024 * 1024 // len(row)
    with open(root / "data.yaml", "wb") as fh:
        for _ in range(rows // 1024):  # in blocks: the benchmark's own memory is inherited by every
            fh.write(row * 1024)  # tool it forks, and would show in their peak memory
        fh.write(row * (rows % 1024))
    subprocess.run(["git", "init", "-q"], cwd=root, check=True, capture_output=True)
