"""Which files and documents katiblint judges: Katib Experiments and the cluster's katib-config.

A repository holds far more YAML than Experiments: mkdocs configuration with Python tags,
CloudFormation with `!Ref`, Helm templates, Ansible vaults, data files of many megabytes. None
of that is katiblint's to judge. A file is parsed only when its bytes could hold a Katib
document (a cheap search, before any node is built), and YAML-level problems (syntax, tags,
duplicate keys, aliasing) are reported only for a document that is, or evidently tries to be,
an Experiment or a katib-config.
"""

from __future__ import annotations

import re

from katiblint.yaml import Document
from katiblint.katib.experiment import EXPERIMENT_GROUP, is_experiment

# `kind: Experiment` in block or flow style, JSON included, quoted or not.
_EXPERIMENT_KIND = re.compile(rb"""\bkind["']?[ \t]*:[ \t]*["']?Experiment\b(?![-.\w])""")
_EXPERIMENT_KIND_TEXT = re.compile(r"""\bkind["']?[ \t]*:[ \t]*["']?Experiment\b(?![-.\w])""")
# An apiVersion of another group makes `kind: Experiment` someone else's (Iter8, Chaos Mesh, ...).
_API_VERSION_TEXT = re.compile(r"""\bapiVersion["']?[ \t]*:[ \t]*["']?([^\s"'#,}]*)""")
_CONFIG_MARKERS = (b"KatibConfig", b"katib-config")
_DOC_MARKER = re.compile(r"^---(?=[ \t\r\n]|$)", re.M)


def may_hold_experiment(data: bytes) -> bool:
    return _EXPERIMENT_KIND.search(data) is not None


def may_hold_config(data: bytes) -> bool:
    return any(marker in data for marker in _CONFIG_MARKERS)


_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def is_relevant(data: bytes) -> bool:
    """True when the bytes could hold an Experiment or a katib-config; no node is built."""
    if data.startswith(_WIDE_BOMS):  # UTF-16/32: search the text instead
        encoding = "utf-32" if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")) else "utf-16"
        data = data.decode(encoding, errors="replace").encode("utf-8")
    return may_hold_experiment(data) or may_hold_config(data)


def _text_claims_experiment(text: str) -> bool:
    if _EXPERIMENT_KIND_TEXT.search(text) is None:
        return False
    api = _API_VERSION_TEXT.search(text)
    if api is None or not api.group(1):
        return True
    value = api.group(1)
    return value == EXPERIMENT_GROUP or value.startswith(EXPERIMENT_GROUP + "/")


def document_is_judged(doc: Document, is_config: bool) -> bool:
    """Whether a document's YAML-level problems concern katiblint's user."""
    if is_config:
        return True
    if doc.root is not None:
        return is_experiment(doc)
    # No tree (an alias bomb, a document cut short): judge by the text around its first problem.
    offset = doc.problems[0].span.start if doc.problems else doc.span.start
    return error_is_judged(doc.source.text, offset)


def error_is_judged(text: str, offset: int) -> bool:
    """Whether a file-level error at `offset` (a syntax error drops the rest of the stream) matters.

    It does in a file that holds an Experiment anywhere (kubectl cannot apply the file, and the
    documents after the error are never read), and in the document of a katib-config.
    """
    starts = [0] + [m.start() for m in _DOC_MARKER.finditer(text)] + [len(text)]
    for begin, end in zip(starts, starts[1:]):
        region = text[begin:end]
        if _text_claims_experiment(region):
            return True
        if begin <= offset < end and ("KatibConfig" in region or "katib-config" in region):
            return True
    return False
