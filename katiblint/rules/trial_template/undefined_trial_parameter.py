"""KAT302 undefined-trial-parameter."""

from __future__ import annotations

from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Edit, Fix, FixAvailability
from katiblint.fix.edits import append_sequence_item, indent_step, insert_entry, is_block, key_column, line_end, plain_or_quoted
from katiblint.yaml import Scalar, Sequence
from katiblint.katib.experiment import Experiment
from katiblint.registry import Rule
from katiblint.rules._placeholders import checks_apply, declared, misspelled_for
from katiblint.source import Span
from katiblint.suggest import closest, unique_closest


def declare(exp: Experiment, name: str) -> list[Edit]:
    """Edits adding `- name: x` / `reference: x` to trialParameters, creating the list if needed."""
    template = exp.trial_template
    if template is None or not is_block(template, exp.source):
        return []
    source = exp.source
    value = plain_or_quoted(name)
    item = [f"name: {value}", f"reference: {value}"]
    existing = template.get("trialParameters")
    if isinstance(existing, Sequence) and existing.items:
        edit = append_sequence_item(source, existing, item)
        return [edit] if edit else []
    step = indent_step(source, template)
    block = [" " * step + "- " + item[0], " " * (step + 2) + item[1]]
    key = template.key_node("trialParameters")
    if key is None:
        edit = insert_entry(source, template, ["trialParameters:", *block])
        return [edit] if edit else []
    # `trialParameters:` with no value, `~`, `null` or `[]`: the new item goes below the key.
    empty_flow = isinstance(existing, Sequence) and source.text[existing.span.start] == "["
    if not (empty_flow or (isinstance(existing, Scalar) and existing.value is None)):
        return []
    column = key_column(source, key)
    nl = source.newline
    body = "".join(" " * column + text + nl for text in block)
    at = line_end(source, key.span.end)
    if at == len(source.text) and not source.text.endswith("\n"):
        body = nl + body
    edits = [Edit.insert(at, body)]
    if existing is not None and existing.span.end > existing.span.start:
        same_line = source.position(existing.span.start)[0] == source.position(key.span.start)[0]
        if not same_line or source.text[key.span.end : key.span.end + 1] != ":":
            return []  # the value sits on a later line: too unusual to edit safely
        edits.append(Edit.delete(Span(key.span.end + 1, existing.span.end)))  # keep `trialParameters:`
    return edits


class UndefinedTrialParameter(Rule):
    code = "KAT302"
    name = "undefined-trial-parameter"
    summary = "A ${trialParameters.x} placeholder with no trialParameters entry"
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        if not checks_apply(exp):
            return
        names = [tp.name for tp in declared(exp) if tp.name]
        meant_for = {typo: name for name, typo in misspelled_for(exp).items()}
        for ph in exp.placeholders:
            if ph.name in names:
                continue
            guess = closest(ph.name, names)
            safe = unique_closest(ph.name, names)
            # A common slip: the spec.parameters name (the `reference`) instead of the trial parameter's name
            by_reference = [tp.name for tp in declared(exp) if tp.reference == ph.name and tp.name]
            if len(by_reference) == 1:
                guess = safe = by_reference[0]
            name_span = Span(ph.span.start + len("${trialParameters."), ph.span.end - 1)
            # A declared entry already takes its value from the parameter of this name: use it.
            owners = [tp.name for tp in declared(exp) if tp.reference == ph.name and tp.name]
            fix = None
            if len(owners) == 1:
                fix = Fix.safe(f"use `{owners[0]}`", Edit.replace(name_span, owners[0]))
            elif ph.name in exp.parameter_names:
                edits = declare(exp, ph.name)
                fix = Fix.unsafe(f"declare trial parameter `{ph.name}`", *edits) if edits else None
            elif safe:
                fix = Fix.safe(f"use `{safe}`", Edit.replace(name_span, safe))
            # validator.go validateTrialTemplate checks the declared entries first and stops at one
            # that is not used: that is what the webhook names when the typo was meant for it.
            owner = meant_for.get(ph.name)
            consequence = (
                f"the webhook rejects the Experiment, naming the entry it was meant for (`{owner}` ... `not found "
                "in spec.trialTemplate`)" if owner else "the webhook rejects the Experiment"
            )
            yield self.report(
                ph.span,
                f"`${{trialParameters.{ph.name}}}` is not declared in spec.trialTemplate.trialParameters; {consequence}",
                help=(f"`{ph.name}` is the reference of trial parameter `{guess}`; " if by_reference else "")
                + (f"did you mean `{guess}`? " if guess else "")
                + f"declare `{ph.name}` under trialParameters with the spec.parameters entry it takes its "
                "value from (`reference`)",
                fix=fix,
                path=ph.node.path,
            )
