"""KAT101 invalid-experiment-name."""

from __future__ import annotations

import re
from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Fix, FixAvailability
from katiblint.edits import replace_scalar
from katiblint.loader import Scalar
from katiblint.model import SERVED_AND_LEGACY, Experiment, as_str
from katiblint.registry import Rule

# validator.go anchors only the start (`^[a-z]([-a-z0-9]*[a-z0-9])?`); Katib then derives the
# suggestion Service `<name>-<algorithm>`, which must be a DNS-1035 label.
NAME_RE = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
MAX_LENGTH = 40


def sanitize(name: str) -> str:
    """A valid name close to `name`: lower case, other characters as `-`, trimmed to 40."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", name.lower())
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip("-")
    cleaned = cleaned.lstrip("0123456789-")
    cleaned = cleaned[:MAX_LENGTH].rstrip("-")
    return cleaned or "experiment"


def problem(name: str) -> str | None:
    """Why Kubernetes or Katib will not run an Experiment of this name, or None."""
    if not name:
        return "is empty"
    if len(name.encode()) > MAX_LENGTH:
        return (
            f"is {len(name.encode())} characters long; Katib's webhook rejects names over {MAX_LENGTH} "
            "(it derives Service and Pod names from it, which Kubernetes caps at 63)"
        )
    if NAME_RE.fullmatch(name):
        return None
    if not name[0].isalpha() or not name[0].islower():
        if name[0].isdigit():
            return "starts with a digit; Katib's webhook requires a lower-case letter first"
        return "must start with a lower-case letter; Kubernetes and Katib reject it"
    if "." in name and re.fullmatch(r"[a-z0-9.-]+", name):
        return (
            "contains `.`; Kubernetes and Katib's webhook accept it, but the suggestion Service "
            "`<name>-<algorithm>` cannot be created, so the Experiment stays `Created` forever"
        )
    if any(c.isupper() for c in name):
        return "contains upper-case letters; Kubernetes rejects it (names must be lower case)"
    if name.endswith("-"):
        return "ends with `-`; Kubernetes rejects it"
    bad = sorted({c for c in name if not re.match(r"[a-z0-9-]", c)})
    return f"contains {', '.join(f'`{c}`' for c in bad)}; only lower-case letters, digits and `-` are allowed"


class InvalidExperimentName(Rule):
    code = "KAT101"
    name = "invalid-experiment-name"
    summary = "The Experiment name breaks Kubernetes or Katib naming"
    api_versions = SERVED_AND_LEGACY
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        meta = exp.metadata
        node = exp.name_node
        if meta is None:
            return
        if node is None:
            generate = meta.get("generateName")
            prefix = as_str(generate)
            if prefix is None:
                yield self.report_key(
                    meta,
                    "name",
                    "`metadata.name` is missing; Kubernetes requires a name (or `generateName`)",
                    help="add `name:` under `metadata`",
                )
            elif len(prefix) + 5 > MAX_LENGTH and generate is not None:
                yield self.report(
                    generate,
                    f"`generateName` `{prefix}` plus the 5 random characters Kubernetes appends exceeds "
                    f"{MAX_LENGTH} characters; Katib's webhook rejects the generated name",
                    help=f"shorten `generateName` to at most {MAX_LENGTH - 5} characters",
                )
            return
        name = as_str(node)
        if name is None or not isinstance(node, Scalar):
            return  # a non-string name is a type error reported elsewhere
        why = problem(name)
        if why is None:
            return
        if any(mark in name for mark in ("${", "{{", "$(")):
            return  # an unrendered template: KAT040's finding, and renaming it would destroy the placeholder
        fixed = sanitize(name)
        fix = Fix.unsafe(f"rename to `{fixed}`", replace_scalar(node, fixed)) if fixed != name else None
        yield self.report(
            node,
            f"Experiment name `{name}` {why}",
            help=f"use lower-case letters, digits and `-`, starting with a letter, at most {MAX_LENGTH} "
            f"characters, e.g. `{fixed}`",
            fix=fix,
        )



