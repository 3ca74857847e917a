"""`katiblint check`: settings from config and flags, lint every file, report, exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Sequence

from katiblint import config
from katiblint.config import OPTIONS, Settings, resolve
from katiblint.selector import is_selector
from katiblint.diagnostics import Severity
from katiblint.engine import FileResult, Linter, dedupe_run, has_errors
from katiblint.errors import KatibLintError
from katiblint.reporters import ReportOptions, renderer
from katiblint.walk import collect_files
from katiblint.yaml.loader import has_c_parser


def build_settings(paths: Sequence[str], options: dict[str, Any], base: Settings | None = None) -> Settings:
    """Settings from the configuration file (`base` when given, else found from `paths`) and the options."""
    if base is not None:
        settings = base
    else:
        start = Path(next((p for p in paths if p != "-"), "."))
        settings = resolve(options.get("config_path"), start)

    changes: dict[str, Any] = {}
    for spec in OPTIONS:  # every option with a command-line flag (config.Settings declares them)
        flag, kind, value = spec.metadata["flag"], spec.metadata["kind"], options.get(spec.name)
        if flag is None or value is None:
            continue
        if kind == "list":
            listed = tuple(v.strip() for item in value for v in item.split(",") if v.strip())
            if not listed:
                continue
            if spec.name in ("select", "extend_select", "ignore"):
                for selector in listed:
                    if not is_selector(selector):
                        raise KatibLintError(f"{flag}: `{selector}` is not a rule code, prefix or name")
            value = getattr(settings, spec.name) + listed if spec.metadata["extend"] else listed
        elif spec.name == "fail_on":
            value = Severity(value)
        elif spec.name in ("katib_version", "kubernetes_version"):
            try:
                value = getattr(config, spec.name)(value)
            except ValueError as exc:
                raise KatibLintError(f"{flag}: {exc}") from None
        changes[spec.name] = value
    return settings.with_overrides(**changes)


def use_color(choice: str, stream: Any) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def lint_all(
    linter: Linter, files: Sequence[str], stdin_name: str | None, jobs: int | None = None, keep_documents: bool = False
) -> list[FileResult]:
    """Results in the order of `files`; a process pool (`--jobs`) for large runs."""
    from katiblint.parallel import lint_many

    return lint_many(linter, files, stdin_name, jobs, keep_documents)


def run_check(paths: Sequence[str], options: dict[str, Any]) -> int:
    if not paths:
        raise KatibLintError("no paths given; try `katiblint .` or `katiblint --help`")
    settings = build_settings(paths, options)
    collected = collect_files(paths, settings.exclude, settings.respect_gitignore)
    for path, reason in collected.empty:
        sys.stderr.write(f"katiblint: warning: {path}: {reason}\n")
    files = collected.files
    linter = Linter(settings)
    from katiblint.katib.cluster import merge_pending, prepare

    prepare(linter, files)  # the cluster's katib-config and trial-template ConfigMaps, before any Experiment
    fix_run = None
    if options.get("fix") or options.get("show_diff"):
        from katiblint.fix.apply import diff_exit_code, run_fixes

        fix_run = run_fixes(linter, files, options)
        if options.get("show_diff"):
            return diff_exit_code(fix_run)
        results = fix_run.results
    else:
        # Node trees are kept only for the passes that read them again: ConfigMap templates, --diff-base.
        keep = bool(options.get("diff_base") or linter.cluster.template_maps)
        results = lint_all(linter, files, options.get("stdin_filename"), options.get("jobs"), keep)
    merge_pending(linter, results)  # findings inside another file's ConfigMap template, with --fix too
    dedupe_run(results)  # findings about the cluster, not a manifest: once per run
    if options.get("diff_base"):
        from katiblint import diffbase

        diffbase.apply(linter, results, options["diff_base"])
    notices = set(linter.cluster.notices) | {n for r in results for n in r.notices}
    if any(r.source is not None for r in results) and not has_c_parser():
        notices.add("ruamel.yaml.clib (libyaml's C parser) is not installed, so the slower pure-Python parser was "
                    "used; `pip install ruamel.yaml.clib` restores katiblint's speed")
    for notice in sorted(notices):  # once per run, whatever the processes
        sys.stderr.write(f"katiblint: {notice}\n")
    internal = any(d.code == "KAT006" for r in results for d in r.diagnostics)
    if options.get("write_baseline"):
        from katiblint import baseline

        count = baseline.write(options["write_baseline"], results)
        sys.stderr.write(f"katiblint: recorded {count} finding(s) in {options['write_baseline']}\n")
        return 2 if internal else 0
    if options.get("baseline"):
        from katiblint import baseline

        hidden = baseline.apply(results, baseline.load(options["baseline"]))
        if hidden:
            sys.stderr.write(f"katiblint: {hidden} known finding(s) hidden by the baseline {options['baseline']}\n")
    exit_code = 2 if internal else (1 if has_errors(results, settings.fail_on) else 0)
    if fix_run is not None and fix_run.errors:
        exit_code = 2  # a file that could not be written: its findings stand, nothing was lost
    fmt = options.get("output_format") or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "full")
    output_path = options.get("output")
    stream = sys.stderr if fix_run is not None and fix_run.stdout is not None else sys.stdout
    report = ReportOptions(
        fixed=fix_run.fixed if fix_run is not None else 0,
        unsafe_fixes=bool(options.get("unsafe_fixes")),
        color=use_color(options.get("color") or "auto", stream) and not output_path and fmt in ("full", "concise"),
        files_checked=len(files),
        exit_code=exit_code,
    )
    if options.get("statistics"):
        text = statistics_json(results) if fmt == "json" else statistics(results)
    else:
        text = renderer(fmt)(results, report)
    if output_path:
        try:
            Path(output_path).parent.mkdir(parents=True, exist_ok=True)
            Path(output_path).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise KatibLintError(f"{output_path}: cannot write the report: {exc.strerror or exc}") from None
    else:
        stream.write(text)
        stream.flush()
    if fix_run is not None and fix_run.stdout is not None:
        sys.stdout.buffer.write(fix_run.stdout)  # `--fix -`: the fixed document, findings on stderr
        sys.stdout.flush()
    return exit_code


def statistics(results: Sequence[FileResult]) -> str:
    counts: dict[tuple[str, str], int] = {}
    for r in results:
        for d in r.diagnostics:
            counts[(d.code, d.name)] = counts.get((d.code, d.name), 0) + 1
    lines = [f"{n:>5}  {code}  {name}" for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "\n".join(lines) + ("\n" if lines else "")


def statistics_json(results: Sequence[FileResult]) -> str:
    """`--statistics --format json`: one object per rule, most frequent first."""
    import json

    from katiblint.diagnostics import Applicability

    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for r in results:
        for d in r.diagnostics:
            row = rows.setdefault((d.code, d.name), {"code": d.code, "name": d.name, "count": 0, "fixable": 0})
            row["count"] += 1
            if d.fix is not None and d.fix.applicability == Applicability.SAFE:
                row["fixable"] += 1
    ordered = sorted(rows.values(), key=lambda row: (-row["count"], row["code"], row["name"]))
    return json.dumps(ordered, indent=2) + "\n"
