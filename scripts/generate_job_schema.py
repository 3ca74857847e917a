"""Regenerate the Kubernetes `batch/v1` Job schema that katiblint bundles for KAT340.

    pip install -e '.[test]'                     # brings the pinned kubernetes-validate
    python scripts/generate_job_schema.py        # the newest Kubernetes release it ships
    python scripts/generate_job_schema.py --check

Reads the strict `_definitions.json` of `kubernetes-validate` for the newest Kubernetes release
it ships (or `--kubernetes-version`), keeps the Job definition and every definition it reaches
through `$ref`, drops descriptions, and writes `rules/data/k8s-job-<major>.<minor>.json`,
replacing the file of any other version. One definition per line, so that a regeneration shows
in `git diff` as the definitions that changed. `--check` writes nothing and exits 1 when the
bundled file is not what this script would write. Record a new version in `rules/data/README.md`.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib.metadata import version as installed_version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # this checkout's katiblint, also when it is not installed

from katiblint.rules import _k8s_schema  # noqa: E402

DATA = ROOT / "rules" / "data"


def generate(requested: str | None = None) -> tuple[str, str]:
    """(file name, file text) of the bundled Job schema for a Kubernetes version."""
    shipped = _k8s_schema.shipped_versions(_k8s_schema.package_dir())
    chosen = _k8s_schema.pick_version(requested, list(shipped))
    folder = shipped[chosen]
    every = json.loads((folder / "_definitions.json").read_text(encoding="utf-8"))["$defs"]
    kept = _k8s_schema.job_definitions(every)
    release = folder.name.split("-", 1)[0].lstrip("v")  # `v1.37.0-local-strict` -> 1.37.0
    header = {
        "kubernetes": release,
        "generator": "scripts/generate_job_schema.py",
        "source": f"kubernetes-validate {installed_version('kubernetes-validate')}, {folder.name}/_definitions.json",
    }
    lines = ["{" + json.dumps(header, sort_keys=True)[1:-1] + ', "definitions": {']
    names = sorted(kept)
    for i, name in enumerate(names):
        body = json.dumps(kept[name], sort_keys=True, separators=(",", ":"))
        lines.append(f"{json.dumps(name)}:{body}{',' if i < len(names) - 1 else ''}")
    lines.append("}}")
    return f"{_k8s_schema.BUNDLED_PREFIX}{chosen[0]}.{chosen[1]}.json", "\n".join(lines) + "\n"


def bundled_files() -> list[Path]:
    return sorted(DATA.glob(f"{_k8s_schema.BUNDLED_PREFIX}*.json"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubernetes-version", help="a release kubernetes-validate ships (default: its newest)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the bundled file differs; write nothing")
    options = parser.parse_args(argv)
    try:
        name, text = generate(options.kubernetes_version)
    except _k8s_schema.SchemaUnavailable as exc:
        print(f"generate_job_schema: {exc}", file=sys.stderr)
        return 2
    target = DATA / name
    others = [p for p in bundled_files() if p != target]
    if options.check:
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current != text or others:
            state = "missing" if current is None else ("stale" if current != text else "current")
            extra = f", and {', '.join(p.name for p in others)} should not be bundled" if others else ""
            print(f"generate_job_schema: {name} is {state}{extra}; run `python scripts/generate_job_schema.py`",
                  file=sys.stderr)
            return 1
        print(f"{name} is current")
        return 0
    for other in others:
        other.unlink()
    target.write_text(text, encoding="utf-8")
    print(f"wrote rules/data/{name} ({len(text.encode()):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
