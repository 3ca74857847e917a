"""KAT001 yaml-syntax-error."""

from __future__ import annotations

import re

from katiblint.diagnostics import Severity
from katiblint.yaml import SelfAlias, SyntaxFact, UndefinedAlias
from katiblint.registry import Rule


class YamlSyntaxError(Rule):
    code = "KAT001"
    name = "yaml-syntax-error"
    summary = "The file is not valid YAML"
    severity = Severity.ERROR
    scope = "yaml"

    @classmethod
    def describe(cls, fact: SyntaxFact | UndefinedAlias | SelfAlias) -> tuple[str, str | None]:
        if isinstance(fact, UndefinedAlias):
            return f"YAML syntax error: found undefined alias `{fact.anchor}`", None
        if isinstance(fact, SelfAlias):
            return (
                f"YAML syntax error: anchor `{fact.anchor}` value contains itself; Kubernetes rejects the manifest",
                "an alias cannot refer to the collection it sits in",
            )
        problem, helptext = fact.problem, None
        if fact.control is not None:
            code = fact.control
            what = "a NUL byte" if code == 0 else f"the control character U+{code:04X}"
            problem = f"{what} (`{_escaped(code)}`) is not allowed in YAML"
            helptext = (
                f"remove it, or write it as an escape inside a double-quoted string (`\"{_escaped(code)}\"`)"
                if code
                else "this looks like a binary file, not a manifest: leave it out with `--exclude`"
            )
        elif fact.at_tab and not _TAB_RE.search(problem):
            plain = problem.replace("found character that cannot", "found a tab character, which cannot")
            problem = plain if plain != problem else f"{problem} (at a tab character)"
        message = f"YAML syntax error: {problem}"
        if fact.context:
            message += f" ({fact.context})"
        if helptext is None and (fact.at_tab or _TAB_RE.search(message)):
            helptext = "indent with spaces; YAML does not allow tabs for indentation"
        elif helptext is None and fact.template:
            helptext = "this looks like a Helm or Go template: render it first, e.g. `helm template ... | katiblint -`"
        return message, helptext


_TAB_RE = re.compile(r"\btabs?\b", re.IGNORECASE)


def _escaped(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
