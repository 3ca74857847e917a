"""Run katiblint as a user does (`python -m katiblint ...` in a fresh process) and sample manifests.

The product-surface tests (CLI, configuration, suppressions, reporters) share these so they
assert what a user sees: exit code, standard output and standard error.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

GOOD = """\
apiVersion: kubeflow.org/v1beta1
kind: Experiment
metadata:
  name: random
  namespace: kubeflow
spec:
  objective:
    type: minimize
    goal: 0.001
    objectiveMetricName: loss
  algorithm:
    algorithmName: random
  maxTrialCount: 4
  parameters:
    - name: lr
      parameterType: double
      feasibleSpace:
        min: "0.01"
        max: "0.05"
  trialTemplate:
    primaryContainerName: training-container
    trialParameters:
      - name: learningRate
        reference: lr
    trialSpec:
      apiVersion: batch/v1
      kind: Job
      spec:
        template:
          metadata:
            labels:
              sidecar.istio.io/inject: "false"
          spec:
            containers:
              - name: training-container
                image: docker.io/kubeflowkatib/pytorch-mnist:latest
                command:
                  - "python3"
                  - "/opt/mnist.py"
                  - "--lr=${trialParameters.learningRate}"
            restartPolicy: Never
"""

# One error: `${trialParameters.batchSize}` is not declared (KAT302), on line 41, column 27.
BAD = GOOD.replace(
    '                  - "--lr=${trialParameters.learningRate}"\n',
    '                  - "--lr=${trialParameters.learningRate}"\n'
    '                  - "--bs=${trialParameters.batchSize}"\n',
)
BAD_LINE, BAD_COLUMN = 41, 27

# Not an Experiment: katiblint skips it without a word.
CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  lr: "${trialParameters.nothing}"
"""

assert BAD != GOOD and BAD.splitlines()[BAD_LINE - 1][BAD_COLUMN - 1] == "$"


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err


def katiblint(
    *args: str | os.PathLike[str],
    cwd: str | os.PathLike[str] | None = None,
    stdin: str | bytes | None = None,
    env: dict[str, str] | None = None,
    python_flags: tuple[str, ...] = (),
    timeout: float = 120,
) -> Run:
    """`python -m katiblint ARGS` in a subprocess, with this checkout first on the import path."""
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "GITHUB_ACTIONS")}
    environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    environ.update(env or {})
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    proc = subprocess.run(
        [sys.executable, *python_flags, "-m", "katiblint", *map(str, args)],
        cwd=cwd,
        input=data,
        capture_output=True,
        env=environ,
        timeout=timeout,
    )
    return Run(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))
