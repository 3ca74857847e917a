"""Read a YAML file that must be valid as a whole (a configuration, a `--katib-config`): exit 2 if not."""

from __future__ import annotations

from katiblint.errors import KatibLintError
from katiblint.yaml import LoadResult, load
from katiblint.registry import describe
from katiblint.source import SourceFile, decode


def read_strict(path: str, what: str) -> tuple[SourceFile, LoadResult]:
    """The file's source and documents; any read, decode or YAML problem names the file and line."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise KatibLintError(f"{path}: cannot read the {what}: {exc.strerror or exc}") from None
    source, error, _ = decode(data, path)
    if source is None:
        raise KatibLintError(f"{path}: {error}")
    loaded = load(source)
    problems = loaded.problems + [p for d in loaded.documents for p in d.problems]
    if problems:
        line, col = source.position(problems[0].span.start)
        raise KatibLintError(f"{path}:{line + 1}:{col + 1}: invalid {what}: {describe(problems[0])[0]}")
    return source, loaded
