"""Positions are exact: node spans slice the source, offsets round-trip, findings land on the `$`."""

from __future__ import annotations

from typing import Any, Union

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clirun import GOOD
from katiblint.config import Settings
from katiblint.engine import Linter
from katiblint.yaml import Mapping, Node, Scalar, Sequence, load
from katiblint.source import SourceFile, decode

# -- generated nested YAML ----------------------------------------------------------------------

# A scalar as written: (style, text). Plain text is alphanumeric (valid in block and flow context).
Token = tuple[str, str]
Tree = Union[Token, list["Tree"], dict[str, "Tree"]]

_plain = st.from_regex(r"[A-Za-z][A-Za-z0-9_.]{0,12}", fullmatch=True)
_single = st.text(st.characters(codec="utf-8", exclude_characters="\n\r\\", exclude_categories=("Cs", "Cc")), max_size=12)
_double = st.text(st.characters(codec="utf-8", exclude_characters='\n\r\\"', exclude_categories=("Cs", "Cc")), max_size=12)
_scalars = st.one_of(
    st.tuples(st.just("plain"), _plain), st.tuples(st.just("single"), _single), st.tuples(st.just("double"), _double)
)
_trees = st.recursive(
    _scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.from_regex(r"[a-z][a-zA-Z0-9]{0,8}", fullmatch=True), children, max_size=4),
    ),
    max_leaves=25,
)


def token(scalar: Token) -> str:
    style, text = scalar
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style == "double":
        return '"' + text + '"'
    return text


def _is_scalar(tree: Tree) -> bool:
    return isinstance(tree, tuple)


def _flow(tree: Tree) -> str | None:
    """Flow style for empty collections and collections of scalars (every other one)."""
    if isinstance(tree, list) and all(_is_scalar(x) for x in tree):
        return "[" + ", ".join(token(x) for x in tree) + "]"  # type: ignore[arg-type]
    if isinstance(tree, dict) and all(_is_scalar(v) for v in tree.values()):
        return "{" + ", ".join(f"{k}: {token(v)}" for k, v in tree.items()) + "}"  # type: ignore[arg-type]
    return None


def emit(tree: Tree, indent: int = 0, flow: bool = False) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(tree, dict):
        for key, value in tree.items():
            inline = token(value) if _is_scalar(value) else (_flow(value) if flow or not value else None)  # type: ignore[arg-type]
            if inline is not None:
                lines.append(f"{pad}{key}: {inline}")
            else:
                lines.append(f"{pad}{key}:")
                lines.extend(emit(value, indent + 2, not flow))
    elif isinstance(tree, list):
        for item in tree:
            inline = token(item) if _is_scalar(item) else (_flow(item) if flow or not item else None)  # type: ignore[arg-type]
            if inline is not None:
                lines.append(f"{pad}- {inline}")
            else:
                lines.append(f"{pad}-")
                lines.extend(emit(item, indent + 2, not flow))
    else:
        lines.append(pad + token(tree))
    return lines


def walk_all(node: Node | None) -> list[Node]:
    """Every node, keys included."""
    out: list[Node] = []
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        out.append(current)
        if isinstance(current, Mapping):
            for key, value in current.pairs:
                stack.extend((key, value))
        elif isinstance(current, Sequence):
            stack.extend(current.items)
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=_trees, crlf=st.booleans(), documents=st.integers(1, 3))
def test_every_scalar_span_slices_the_source_to_its_raw_text(tree: Tree, crlf: bool, documents: int) -> None:
    newline = "\r\n" if crlf else "\n"
    body = newline.join(emit({"root": tree})) + newline
    text = ("---" + newline + body) * documents
    source = SourceFile("gen.yaml", text)
    result = load(source)
    assert not result.problems, (text, result.problems)
    assert len(result.documents) == documents
    scalars = [n for d in result.documents for n in walk_all(d.root) if isinstance(n, Scalar)]
    expected = 0
    for doc in result.documents:
        assert not doc.problems
    for node in scalars:
        piece = text[node.span.start : node.span.end]
        if node.style is None:
            assert piece == node.raw, (piece, node.raw)
        elif node.style == "'":
            assert piece == "'" + node.raw.replace("'", "''") + "'"
        else:
            assert node.style == '"'
            assert piece == '"' + node.raw + '"'
        expected += 1
    leaves = (1 + _count_scalars(tree)) * documents  # + the `root` key
    assert expected == leaves


def _count_scalars(tree: Tree) -> int:
    if isinstance(tree, dict):
        return sum(1 + _count_scalars(v) for v in tree.values())
    if isinstance(tree, list):
        return sum(_count_scalars(v) for v in tree)
    return 1


@given(st.lists(st.sampled_from(["a", "é", "😀", "\n", "\r\n", "\r", "\t", " "]), max_size=40).map("".join))
def test_position_and_offset_round_trip(text: str) -> None:
    source = SourceFile("t.yaml", text)
    for offset in range(len(text) + 1):
        line, col = source.position(offset)
        assert line == text.count("\n", 0, offset)
        assert col == offset - (text.rfind("\n", 0, offset) + 1)
        assert source.offset(line, col) == offset


# -- placeholders land on the `$` ---------------------------------------------------------------

ANCHOR = '                  - "/opt/mnist.py"\n'
IMAGE = "                image: docker.io/kubeflowkatib/pytorch-mnist:latest\n"
assert ANCHOR in GOOD and IMAGE in GOOD
ITEM = " " * 18  # the indentation of a `command:` item
KEY = " " * 16  # the indentation of a container's keys


def _inject(style: str, prefix: str, placeholder: str) -> str:
    """GOOD with `placeholder` written in one YAML scalar style inside the trial's container."""
    value = prefix + placeholder
    if style == "plain":
        replacement = f"{ITEM}- --opt={value}\n"
    elif style == "single":
        replacement = f"{ITEM}- '--opt={value}'\n"
    elif style == "double":
        replacement = f'{ITEM}- "--opt={value}"\n'
    elif style == "literal":
        replacement = f"{ITEM}- |\n{ITEM}  cd /opt\n{ITEM}  python3 mnist.py --opt={value}\n"
    elif style == "folded":
        replacement = f"{ITEM}- >-\n{ITEM}  python3 mnist.py\n{ITEM}  --opt={value}\n"
    elif style == "flow-seq":
        return GOOD.replace(IMAGE, IMAGE + f'{KEY}args: [--a, "{value}", \'--b\']\n')
    elif style == "flow-map":
        return GOOD.replace(IMAGE, IMAGE + f"{KEY}env: [{{name: LR, value: '{value}'}}]\n")
    else:  # pragma: no cover
        raise AssertionError(style)
    return GOOD.replace(ANCHOR, replacement)


def _expected(text: str, placeholder: str) -> tuple[int, int]:
    """1-based line and column (code points, CR not counted) of the placeholder's `$`."""
    offset = text.index(placeholder)
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    style=st.sampled_from(["plain", "single", "double", "literal", "folded", "flow-seq", "flow-map"]),
    prefix=st.from_regex(r"[A-Za-z0-9=./é-]{0,8}", fullmatch=True),
    name=st.from_regex(r"[a-z][A-Za-z0-9]{0,10}", fullmatch=True).filter(lambda n: n != "learningRate"),
    crlf=st.booleans(),
    bom=st.booleans(),
    second=st.booleans(),
)
def test_undefined_placeholder_is_reported_at_the_dollar(
    style: str, prefix: str, name: str, crlf: bool, bom: bool, second: bool
) -> None:
    placeholder = "${trialParameters.%s}" % name
    text = _inject(style, prefix, placeholder)
    if second:
        text = GOOD + "---\n" + text
    line, column = _expected(text, placeholder)
    if crlf:
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    if bom:
        data = b"\xef\xbb\xbf" + data
    result = Linter(Settings(select=("KAT302",))).lint_bytes(data, "exp.yaml")
    found = [(d.start[0] + 1, d.start[1] + 1, d.end[1] - d.start[1], d.document) for d in result.diagnostics]
    assert found == [(line, column, len(placeholder), 1 if second else 0)], (style, text)
    [diag] = result.diagnostics
    assert name in diag.message


def test_decode_drops_the_bom_so_columns_count_from_the_text() -> None:
    source, error, _ = decode(b"\xef\xbb\xbfkind: Experiment\r\n", "x.yaml")
    assert error is None and source is not None
    assert source.text == "kind: Experiment\r\n" and source.had_bom and source.newline == "\r\n"
    assert source.position(6) == (0, 6) and source.line_text(0) == "kind: Experiment"


def test_positions_of_a_real_manifest_through_the_cli_helpers() -> None:
    # The model's view of the same document agrees with the loader: every placeholder the model
    # finds starts with `$` at its span.
    from katiblint.katib.experiment import Experiment

    text = _inject("literal", "x", "${trialParameters.learningRate}")
    source = SourceFile("exp.yaml", text)
    [doc] = load(source).documents
    exp = Experiment(doc)
    spans: list[Any] = [p.span for p in exp.placeholders]
    assert spans and all(text[s.start] == "$" and text[s.start : s.end].startswith("${trialParameters.") for s in spans)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tree=_trees)
def test_without_aliases_the_fast_scalar_collection_matches_the_walk(tree: Tree) -> None:
    """Views of the trial spec collect scalars without the walk's seen-set when the document has
    no shared node; both must give the same scalars, in document order."""
    from katiblint.katib.experiment import scalars_below, walk

    text = "\n".join(emit({"root": tree})) + "\n"
    [doc] = load(SourceFile("gen.yaml", text)).documents
    assert doc.shared is False
    fast = scalars_below(doc.root)
    assert [id(n) for n in fast] == [id(n) for n in walk(doc.root) if isinstance(n, Scalar)]
    assert [n.span.start for n in fast] == sorted(n.span.start for n in fast)


def test_an_alias_or_a_merge_key_marks_the_document_shared_and_the_walk_visits_each_node_once() -> None:
    from katiblint.katib.experiment import walk

    text = (
        "a: &x {k: v}\nb: *x\n"  # an alias
        "---\nbase: &b {k: v}\nuse:\n  <<: *b\n"  # a merge key
        "---\nplain: {k: v}\n"
    )
    aliased, merged, plain = load(SourceFile("shared.yaml", text)).documents
    assert (aliased.shared, merged.shared, plain.shared) == (True, True, False)
    nodes = list(walk(aliased.root))
    assert len(nodes) == len({id(n) for n in nodes}) == 6  # root, a, {k: v}, k, v, b; the alias adds none


def test_a_source_sent_to_another_process_leaves_its_line_index_behind_and_rebuilds_it() -> None:
    import pickle

    source = SourceFile("a.yaml", "a: 1\r\nb: é\n", had_bom=True, newline="\r\n")
    expected = [source.position(offset) for offset in range(len(source.text) + 1)]
    assert source._line_starts is not None  # built by the positions above
    copy = pickle.loads(pickle.dumps(source))
    assert copy._line_starts is None
    assert (copy.path, copy.text, copy.had_bom, copy.newline) == ("a.yaml", source.text, True, "\r\n")
    assert [copy.position(offset) for offset in range(len(copy.text) + 1)] == expected
