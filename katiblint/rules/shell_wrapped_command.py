"""KAT414 shell-wrapped-command."""

from __future__ import annotations

import re
from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.loader import Scalar
from katiblint.model import PLACEHOLDER_RE, Experiment, as_str, sequence_items
from katiblint.registry import Rule
from katiblint.rules._collector import collector

WRAPPED_KINDS = ("StdOut", "File", "TensorFlowEvent")
# `$(VAR)` (kubelet) and `$(params.x)` (Tekton) are substituted before the shell sees them
_KUBELET_VAR = re.compile(r"\$\([A-Za-z_][\w.\-]*\)")
# Quotes around a whole value (`--arch="${trialParameters.a}"`): Katib's NAS examples rely on the
# wrapper's shell to remove them, so balanced quotes are left alone
_QUOTED = re.compile(r"\"[^\"$`\\]*\"|'[^']*'")
_SPECIAL = re.compile(r"[\s'\"$;&|`()<>\\*?]")


class ShellWrappedCommand(Rule):
    code = "KAT414"
    name = "shell-wrapped-command"
    summary = "A training command that the metrics collector's `sh -c` wrapper will re-parse or must look up"
    severity = Severity.WARNING

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        if collector(exp).kind not in WRAPPED_KINDS or not exp.pod_templates:
            return
        primary = exp.primary_container_name
        # the first pod template with the primary container stands for the others (same image)
        firsts = [c for pod in exp.pod_templates for c in pod.containers if c.name == primary and c.name_node]
        for container in firsts[:1]:
            if True:
                command = sequence_items(container.node.get("command"))
                args = sequence_items(container.node.get("args"))
                words = [as_str(n) for n in command + args]
                if not command:
                    # utils.go getContainerCommand: without `command` the webhook reads the image's
                    # entrypoint from the registry
                    yield self.report(
                        container.name_node,
                        f"container `{primary}` has no `command`; to wrap it for metrics collection Katib's pod "
                        "webhook pulls the image config from the registry, which fails for private registries "
                        "without pull access and the trial pod is not created",
                        help="write the entrypoint explicitly under `command`",
                    )
                    continue
                if len(words) >= 2 and words[0] in ("sh", "bash") and words[1] == "-c":
                    continue  # Katib keeps `sh -c <script>` and appends to the script
                for node in command + args:
                    text = as_str(node)
                    if not isinstance(node, Scalar) or text is None:
                        continue
                    clean = _QUOTED.sub("q", _KUBELET_VAR.sub("", PLACEHOLDER_RE.sub("x", text)))
                    found = _SPECIAL.search(clean)
                    if found is None:
                        continue
                    char = "whitespace" if found.group().isspace() else f"`{found.group()}`"
                    # mirrors utils.go wrapWorkerContainer: command and args joined by spaces into sh -c
                    yield self.report(
                        node,
                        f"`{_short(text)}` contains {char}; Katib's metrics collector runs the container as "
                        "`sh -c \"<command and args joined by spaces>\"`, so the shell splits or interprets it "
                        "and the Trial may fail or run something other than the manifest says",
                        help="pass the whole command as one script: `command: [sh, -c]` with the script in `args`, "
                        "quoted for the shell",
                    )


def _short(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= 60 else one_line[:57] + "..."
