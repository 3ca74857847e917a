"""Katib's naming rules for Experiments, shared by the name rules and `katiblint new`."""

from __future__ import annotations

import re

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
