"""Rules register themselves by subclassing `Rule`; `discover()` imports every rule module.

A rule is three files sharing one code: `katiblint/rules/<group>/<name>.py` (this class),
`rules/<CODE>-<name>.md` (its documentation) and `tests/fixtures/<CODE>-<name>.yaml`.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

from katiblint.diagnostics import Diagnostic, Fix, FixAvailability, Severity
from katiblint.yaml import LoadProblem, Mapping, Node
from katiblint.katib.experiment import SERVED_VERSION
from katiblint.source import Span

if TYPE_CHECKING:
    from katiblint.context import Context
    from katiblint.katib.experiment import Experiment

_CODE_RE = re.compile(r"^KAT\d{3}$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

RULES: dict[str, type[Rule]] = {}
_BY_NAME: dict[str, type[Rule]] = {}


class Rule:
    """Base class of every rule. Subclasses declare metadata as class attributes.

    `scope` says what a rule looks at:
    - `experiment`: `check` is a stateless generator over one Experiment;
    - `yaml`: the loader records facts (a duplicate key, a tag, a syntax error) and the rule words
      them (`describe`), for the documents katiblint judges;
    - `file`: facts about a whole file (it cannot be read, its katib-config is rejected), worded by
      `describe` too;
    - `run`: findings that compare the run with something else (`--diff-base`);
    - `engine`: findings about the pipeline itself (an unused suppression, a rule that failed).
    """

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[Severity] = Severity.ERROR
    fixable: ClassVar[FixAvailability] = FixAvailability.NEVER
    default_enabled: ClassVar[bool] = True
    scope: ClassVar[str] = "experiment"
    # A gate runs before every other rule; when `stops` says so, no other rule runs on the Experiment.
    gate: ClassVar[bool] = False
    # Codes of rules that report the same problem more precisely at the same place: when one of
    # them is enabled and reports there, this rule's finding gives way (selection decides, not the rule).
    superseded_by: ClassVar[tuple[str, ...]] = ()
    # The Experiment API versions whose fields the rule understands. On an Experiment of another
    # version KAT004 reports (`kubeflow.org/v1alpha3`), the engine runs only the rules that list it:
    # those checking fields the version shares with v1beta1 (`model.SERVED_AND_LEGACY`).
    api_versions: ClassVar[tuple[str, ...]] = (SERVED_VERSION,)

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__name__.startswith("_") or "code" not in cls.__dict__:
            return  # an abstract helper base
        if not _CODE_RE.match(cls.code):
            raise ValueError(f"rule {cls.__name__}: code {cls.code!r} is not of the form KAT123")
        if not _NAME_RE.match(cls.name):
            raise ValueError(f"rule {cls.__name__}: name {cls.name!r} is not kebab-case")
        for other in (RULES.get(cls.code), _BY_NAME.get(cls.name)):
            if other is not None and other.__qualname__ != cls.__qualname__:
                raise ValueError(f"rule {cls.__name__}: {cls.code}/{cls.name} already taken by {other.__name__}")
        RULES[cls.code] = cls
        _BY_NAME[cls.name] = cls

    def check(self, exp: Experiment, ctx: Context) -> Iterable[Diagnostic]:
        return ()

    def stops(self, exp: Experiment) -> bool:
        return False

    @classmethod
    def describe(cls, fact: Any) -> tuple[str, str | None]:
        """The message and help for a fact the loader or the engine recorded under this rule's code.

        `fact` is the NamedTuple of the rule's own kind (`facts.py`, `yaml.nodes`): each rule
        declares the one it words, which `Any` here lets it narrow."""
        raise NotImplementedError(f"{cls.code} words no recorded fact")

    @classmethod
    def report(
        cls,
        target: Node | Span,
        message: str,
        *,
        help: str | None = None,
        fix: Fix | None = None,
        path: str | None = None,
        severity: Severity | None = None,
    ) -> Diagnostic:
        """A diagnostic of this rule at a node (or span), with its fix hint and optional fix.

        `severity` overrides the rule's default for this finding (e.g. an unknown setting is an
        error where the service rejects it and a warning where it ignores it); the user's
        configuration still wins over both.
        """
        field_path: str | None
        if isinstance(target, Node):
            span = target.span
            field_path = path if path is not None else target.path
        else:
            span = target
            field_path = path
        return Diagnostic(
            code=cls.code,
            name=cls.name,
            severity=severity or cls.severity,
            message=message,
            span=span,
            help=help,
            fix=fix,
            field_path=field_path,
        )

    @classmethod
    def report_key(
        cls,
        mapping: Mapping,
        key: str,
        message: str,
        *,
        help: str | None = None,
        fix: Fix | None = None,
        severity: Severity | None = None,
    ) -> Diagnostic:
        """A diagnostic at the key `key` of `mapping` (or at the mapping when the key is absent)."""
        knode = mapping.key_node(key)
        value = mapping.get(key)
        target: Node = knode if knode is not None else parent_key(mapping)
        path = value.path if value is not None else (f"{mapping.path}.{key}" if mapping.path else key)
        return cls.report(target, message, help=help, fix=fix, path=path, severity=severity)


def parent_key(node: Node) -> Node:
    """The key under which `node` sits in its parent mapping (`metadata:`), else the node."""
    parent = node.parent
    if isinstance(parent, Mapping) and isinstance(node.key, str):
        found = parent.key_node(node.key)
        if found is not None:
            return found
    return node


_DISCOVERED: list[bool] = []  # set once every rule module has been imported


def discover() -> dict[str, type[Rule]]:
    """Import every rule module (`katiblint/rules/<group>/<name>.py`); the registry sorted by code."""
    if not _DISCOVERED:
        import katiblint.rules as pkg

        for group in pkgutil.iter_modules(pkg.__path__):
            if not group.ispkg or group.name.startswith("_"):
                continue  # `_helpers.py` modules are shared code, not rules
            package = importlib.import_module(f"katiblint.rules.{group.name}")
            for info in pkgutil.iter_modules(package.__path__):
                if not info.name.startswith("_"):
                    importlib.import_module(f"katiblint.rules.{group.name}.{info.name}")
        _DISCOVERED.append(True)
    return dict(sorted(RULES.items()))


def lookup(code_or_name: str) -> type[Rule] | None:
    rules = discover()
    key = code_or_name.strip()
    return rules.get(key.upper()) or _BY_NAME.get(key.lower())


def describe(problem: LoadProblem) -> tuple[str, str | None]:
    """A loader problem in its rule's words: (message, help)."""
    return discover()[problem.code].describe(problem.fact)
