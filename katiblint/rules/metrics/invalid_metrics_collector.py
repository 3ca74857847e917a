"""KAT601 invalid-metrics-collector."""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Fix, FixAvailability
from katiblint.fix.edits import rename_fix, replace_scalar
from katiblint.yaml import Mapping, Node, Scalar
from katiblint.katib.experiment import SERVED_AND_LEGACY, Experiment
from katiblint.registry import Rule
from katiblint.rules._admission import AUTO_INJECT_COLLECTORS, is_set, string_field
from katiblint.katib.api import COLLECTOR_KINDS

_GO_ATOI = re.compile(r"[+-]?\d+$")


class InvalidMetricsCollector(Rule):
    code = "KAT601"
    name = "invalid-metrics-collector"
    summary = "A metrics collector kind, source path, format or port the webhook rejects"
    api_versions = SERVED_AND_LEGACY
    fixable = FixAvailability.SOMETIMES

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        mcs = exp.spec_get("metricsCollectorSpec")
        if not isinstance(mcs, Mapping):
            return  # absent: defaulted to StdOut
        collector = mcs.get("collector")
        if not is_set(collector):
            return  # defaulted to StdOut (experiment_defaults.go)
        if not isinstance(collector, Mapping):
            return
        kind_node = collector.get("kind")
        kind = string_field(kind_node)
        if kind is None:
            return  # a decode error (KAT010)
        source = mcs.get("source")
        source = source if isinstance(source, Mapping) else None
        # mirrors validator.go validateMetricsCollector, on the defaulted spec
        if kind not in COLLECTOR_KINDS:
            guess, fix = rename_fix(kind_node, kind, COLLECTOR_KINDS) if kind and isinstance(kind_node, Scalar) else (None, None)
            report = self.report_key if kind_node is None or not kind else _at_value(self, kind_node)
            yield report(
                collector,
                "kind",
                (f"metrics collector kind `{kind}` is not one Katib knows" if kind else "`collector` has no `kind`")
                + (f" (did you mean `{guess}`?)" if guess else "")
                + f"; the webhook rejects the Experiment (`invalid metrics collector kind: {kind}`)",
                help=(f"did you mean `{guess}`? " if guess else "")
                + f"use one of {', '.join(f'`{k}`' for k in COLLECTOR_KINDS)}, or remove `collector` for `StdOut`",
                fix=fix,
            )
            return
        if kind in AUTO_INJECT_COLLECTORS and kind not in ctx.collector_kinds:  # stock or the cluster's katib-config
            which = "the stock" if ctx.cluster.config is None else "the cluster's"
            yield self.report(
                kind_node,  # type: ignore[arg-type]  # present: its kind was read above
                f"metrics collector kind `{kind}` has no entry in {which} katib-config; the webhook rejects the "
                "Experiment (`GetMetricsCollectorConfigData failed: failed to find metrics collector config for "
                f"kind: {kind} in ConfigMap: katib-config`)",
                help="add a `runtime.metricsCollectors` entry for it to katib-config, or use `StdOut`, `File` or "
                "`TensorFlowEvent`",
            )
        fsp_node = source.get("fileSystemPath") if source else None
        fsp = fsp_node if isinstance(fsp_node, Mapping) else None
        if kind == "File":
            yield from self._file(source, fsp)
        elif kind == "TensorFlowEvent":
            yield from self._tfevent(fsp)
        elif kind == "PrometheusMetric":
            http = source.get("httpGet") if source else None
            if isinstance(http, Mapping):
                yield from self._prometheus(http)
        elif kind == "Custom":
            if not is_set(collector.get("customCollector")):
                yield self.report_key(
                    collector,
                    "customCollector",
                    "a `Custom` metrics collector needs `customCollector` (the collector container); the webhook "
                    "rejects the Experiment (`spec.metricsCollectorSpec.collector.customCollector: Required value: "
                    "metrics collector kind: Custom is required`)",
                    help="add `customCollector:` with the collector container's `name` and `image`",
                )
            if fsp is not None:
                yield from self._custom_path(fsp)

    def _file(self, source: Mapping | None, fsp: Mapping | None) -> Iterator[Diagnostic]:
        if fsp is None:
            return  # defaulted: kind File, path /var/log/katib/metrics.log, format TEXT
        fs_kind = string_field(fsp.get("kind"))
        if fs_kind and fs_kind != "File":
            yield self._bad(fsp, "kind", f"`File` collector needs `fileSystemPath.kind: File`, not `{fs_kind}`",
                            "file path where metrics file exists is required", "use `kind: File` (or omit it)")
        path = string_field(fsp.get("path"))
        if path and not path.startswith("/"):
            yield self._bad(fsp, "path", f"metrics file path `{path}` is not absolute",
                            "file path where metrics file exists is required", f"use an absolute path, e.g. `/{path}`")
        fmt = string_field(fsp.get("format"))
        if fmt and fmt not in ("TEXT", "JSON"):
            yield self._bad(fsp, "format", f"metrics file format `{fmt}` is not `TEXT` or `JSON`",
                            "format of metrics file is required for metrics collector",
                            "use `TEXT` or `JSON` (upper case), or omit it for `TEXT`",
                            fix_to=fmt.upper() if fmt.upper() in ("TEXT", "JSON") else None)
        if fmt == "JSON" and source is not None and is_set(source.get("filter")):
            yield self.report(
                source.key_node("filter"),  # type: ignore[arg-type]  # present: is_set(filter) above
                "a `filter` is set for a `JSON` metrics file; the webhook rejects the Experiment "
                "(`spec.metricsCollectorSpec.source.filter: filter must be nil when format of metrics file is json`)",
                help="remove `filter`: JSON lines are read by key, or use `format: TEXT` with the filter",
            )

    def _tfevent(self, fsp: Mapping | None) -> Iterator[Diagnostic]:
        if fsp is None:
            return  # defaulted: kind Directory, path /var/log/katib/tfevent/
        detail = "directory path where tensorflow event files exist is required by .spec.metricsCollectorSpec.source.fileSystemPath.path"
        fs_kind = string_field(fsp.get("kind"))
        if fs_kind and fs_kind != "Directory":
            yield self._bad(fsp, "kind", f"`TensorFlowEvent` collector needs `fileSystemPath.kind: Directory`, not `{fs_kind}`",
                            detail, "use `kind: Directory` (or omit it)")
        path = string_field(fsp.get("path"))
        if path and not path.startswith("/"):
            yield self._bad(fsp, "path", f"event directory `{path}` is not absolute", detail,
                            f"use an absolute path, e.g. `/{path}`")
        fmt = string_field(fsp.get("format"))
        if fmt:
            yield self._bad(fsp, "format", "`TensorFlowEvent` collector must not set `format`", "must be empty",
                            "remove `format`")

    def _prometheus(self, http: Mapping) -> Iterator[Diagnostic]:
        port = http.get("port")
        if is_set(port) and isinstance(port, Scalar):
            text = port.raw if port.kind == "int" or port.is_str else None
            value: int | None = None
            if text is not None and _GO_ATOI.match(text):
                value = int(text)
            ok = text is None or (value is not None and value > 0) or text in ("0", "")
            if not ok:
                yield self.report(
                    port,
                    f"Prometheus port `{port.raw}` is not a positive port number (named ports are not accepted); "
                    "the webhook rejects the Experiment (`must be a positive integer value for metrics collector "
                    "kind: PrometheusMetric`)",
                    help="use the port number, e.g. `port: 8080` (or omit it for 8080)",
                )
        path = string_field(http.get("path"))
        if path and not path.startswith("/"):
            yield self._bad(http, "path", f"Prometheus path `{path}` does not start with `/`",
                            "path is invalid for metrics collector kind: PrometheusMetric", f"use `/{path}`")

    def _custom_path(self, fsp: Mapping) -> Iterator[Diagnostic]:
        path = string_field(fsp.get("path"))
        fs_kind = string_field(fsp.get("kind"))
        detail = ".spec.metricsCollectorSpec.source is invalid"
        if path is not None and not path.startswith("/"):
            yield self._bad(fsp, "path", f"`Custom` collector path `{path}` is not absolute" if path
                            else "`Custom` collector `fileSystemPath` has no `path`", detail,
                            "use an absolute path")
        if fs_kind is not None and fs_kind not in ("Directory", "File"):
            yield self._bad(fsp, "kind", f"`Custom` collector `fileSystemPath.kind` is `{fs_kind}`" if fs_kind
                            else "`Custom` collector `fileSystemPath` has no `kind` (no default for Custom)",
                            detail, "set `kind: File` or `kind: Directory`")

    def _bad(self, mapping: Mapping, key: str, what: str, detail: str, help: str, fix_to: str | None = None) -> Diagnostic:
        node: Node | None = mapping.get(key)
        fix = Fix.safe(f"use `{fix_to}`", replace_scalar(node, fix_to)) if fix_to and isinstance(node, Scalar) else None
        return self.report_key(
            mapping, key, f"{what}; the webhook rejects the Experiment (`{detail}`)", help=help, fix=fix
        )


def _at_value(rule: Rule, node: Node) -> Callable[..., Diagnostic]:
    """`report_key`'s signature, reporting at the (present) value instead of its key."""

    def report(mapping: Mapping, key: str, message: str, **kwargs: Any) -> Diagnostic:
        return rule.report(node, message, **kwargs)

    return report
