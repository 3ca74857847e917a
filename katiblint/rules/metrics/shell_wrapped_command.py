"""KAT414 shell-wrapped-command.

Under the `StdOut`, `File` and `TensorFlowEvent` collectors Katib's pod webhook rewrites the primary
container (`pkg/webhook/v1beta1/pod/utils.go`, `wrapWorkerContainer`): its command and args are
joined with spaces into one `sh -c` script, followed by ` 1>/var/log/katib/metrics.log 2>&1` (StdOut
only), the early-stopping branch (` || if ...`, with early stopping) and ` && echo completed > ...`.
A command that already is exactly `sh -c` or `bash -c` keeps its shell: only the rest is joined.
Without `command`, the webhook reads the image's entrypoint from the registry (`getContainerCommand`).

The shell then re-parses the words, which is what makes `a && b` in a command work; this rule
reports what the re-parsing breaks.
"""

from __future__ import annotations

import re
from typing import Iterator

from katiblint.context import Context
from katiblint.diagnostics import Diagnostic, Severity
from katiblint.yaml import Mapping, Scalar
from katiblint.katib.experiment import PLACEHOLDER_RE, Container, Experiment, as_str, sequence_items, walk
from katiblint.registry import Rule
from katiblint.rules._collector import collector

WRAPPED_KINDS = ("StdOut", "File", "TensorFlowEvent")
SHELLS = ("sh", "bash")
# `$(VAR)` (kubelet) and `$(params.x)` (Tekton) are substituted before the shell sees them
_KUBELET_VAR = re.compile(r"\$\([A-Za-z_][\w.\-]*\)")
_OPERATOR_TOKEN = re.compile(r"^(&&|\|\||[|;&]|\d?>>?|<|\d?>&\d|&>)$")
_OPERATOR_CHAR = re.compile(r"[;&|<>()`]")
_QUOTING = re.compile(r"['\"\\]")
_CODE_FLAGS = {"-c", "-e", "--command", "--eval"}
_INTERPRETERS = re.compile(r"^(.*/)?(python[\d.]*|perl|ruby|node|Rscript|R|julia)$")
_SHELL_PATH = re.compile(r"^(/usr)?(/bin/)(sh|bash|dash|ash)$|^(sh|bash)$")
_SHELL_SCRIPT_FLAG = re.compile(r"^-[a-zA-Z]*c[a-zA-Z]*$")
# Registries whose pull credentials usually come from the node (kubelet credential providers)
_NODE_CREDENTIAL_REGISTRIES = re.compile(
    r"^[\w.-]+\.dkr\.ecr\.[\w.-]+\.amazonaws\.com/|^([\w-]+\.)?gcr\.io/|^[\w-]+-docker\.pkg\.dev/|^[\w-]+\.azurecr\.io/"
)
_PLAIN_WORD = re.compile(r"[^\s;&|<>()`'\"\\]*")  # a word the shell passes on unchanged
_TOP_LEVEL_SYNTAX = re.compile(r"['\"\\#;\n&|]")  # what `_top_level` acts on; most commands have none
_REDIRECT = re.compile(r"^(\d?(?:<<-?|<<<|>>|>&|<&|&>|<|>))(.*)$")
_NOT_TRAINING = {"echo", "sleep", "true", "printf", "ls", "date", "sync"}


def shell_words(text: str) -> tuple[list[tuple[str, bool]], bool]:
    """POSIX-like split: (word, had unquoted special character) pairs, and whether quotes balance."""
    if not _QUOTING.search(text):  # most arguments: plain words, split as `str.split` splits them
        return [(word, _OPERATOR_CHAR.search(word) is not None) for word in text.split()], True
    words: list[tuple[str, bool]] = []
    current, special, in_word = "", False, False
    quote: str | None = None
    i = 0
    while i < len(text):
        ch = text[i]
        if quote == "'":
            if ch == "'":
                quote = None
            else:
                current += ch
        elif quote == '"':
            if ch == "\\" and i + 1 < len(text):
                current += text[i + 1]
                i += 1
            elif ch == '"':
                quote = None
            else:
                current += ch
        elif ch in "'\"":
            quote, in_word = ch, True
        elif ch == "\\" and i + 1 < len(text):
            current += text[i + 1]
            in_word = True
            i += 1
        elif ch.isspace():
            if in_word:
                words.append((current, special))
            current, special, in_word = "", False, False
        else:
            special = special or bool(_OPERATOR_CHAR.match(ch))
            current += ch
            in_word = True
        i += 1
    if in_word:
        words.append((current, special))
    return words, quote is None


TopLevel = tuple[str | None, list[tuple[str, str]]]  # (the comment the script ends in, its commands)


def _top_level(script: str) -> TopLevel:
    """Scan a script as `sh` does, outside quotes: (the comment the script ends in, or None), and
    its commands as (separator before it, text), separators `;`, newline, `&&`, `||`, `|`, `&`."""
    if _TOP_LEVEL_SYNTAX.search(script) is None:  # one simple command, e.g. `python train.py --lr=0.1`
        return None, [("", script.strip())] if script.strip() else []
    commands: list[tuple[str, str]] = []
    sep, current, quote, i = "", "", None, 0
    comment: str | None = None
    while i < len(script):
        ch = script[i]
        if quote is not None:
            if ch == "\\" and quote == '"' and i + 1 < len(script):
                current += script[i:i + 2]
                i += 2
                continue
            quote = None if ch == quote else quote
            current += ch
        elif ch == "\\" and i + 1 < len(script):
            current += script[i:i + 2]
            i += 2
            continue
        elif ch in "'\"":
            quote = ch
            current += ch
        elif ch == "#" and (not current or current[-1] in " \t;&|"):
            end = script.find("\n", i)
            if end == -1:
                comment = script[i:].strip()
                break
            i = end
            continue
        elif ch in ";\n&|":
            two = script[i:i + 2]
            op = two if two in ("&&", "||", ";;") else ("\n" if ch == "\n" else ch)
            if op == "&" and (current.endswith((">", "<")) or script[i + 1:i + 2] == ">"):
                current += ch  # `2>&1`, `&>file`
                i += 1
                continue
            commands.append((sep, current))
            sep, current = op, ""
            i += len(op)
            continue
        else:
            current += ch
        i += 1
    commands.append((sep, current))
    return comment, [(sep, text.strip()) for sep, text in commands if text.strip()]


def _clean(text: str) -> str:
    """The text as the shell sees it, up to values: placeholders and `$(VAR)` become a plain word."""
    return _KUBELET_VAR.sub("x", PLACEHOLDER_RE.sub("x", text))


class ShellWrappedCommand(Rule):
    code = "KAT414"
    name = "shell-wrapped-command"
    summary = "A training command that the metrics collector's `sh -c` wrapper breaks, or must look up"
    severity = Severity.WARNING

    def check(self, exp: Experiment, ctx: Context) -> Iterator[Diagnostic]:
        kind = collector(exp).kind
        if kind not in WRAPPED_KINDS or not exp.pod_templates:
            return
        primary = exp.primary_container_name
        # the first pod template with the primary container stands for the others (same image)
        for pod in exp.pod_templates:
            container = next((c for c in pod.containers if c.name == primary and c.name_node), None)
            if container is None:
                continue
            command = sequence_items(container.node.get("command"))
            args = sequence_items(container.node.get("args"))
            if not command:
                yield from self._no_command(container, pod.node)
                return
            items = [n for n in command + args if isinstance(n, Scalar) and as_str(n) is not None]
            if len(items) != len(command + args):
                return  # a non-string item is a schema problem, reported elsewhere
            texts = [as_str(n) or "" for n in items]
            if texts[0] in SHELLS and len(texts) > 1 and texts[1] == "-c":
                yield from self._script(items[2:], texts[2:], kind, exp, shell=texts[0])
            elif _SHELL_PATH.match(texts[0]) and len(texts) > 2 and _SHELL_SCRIPT_FLAG.match(texts[1]):
                yield from self._unrecognised_shell(items, texts, kind, exp)
            else:
                yield from self._exec_form(items, texts, kind, exp)
            return

    # -- no command: the entrypoint comes from the registry -------------------------------------------

    def _no_command(self, container: Container, pod: Mapping) -> Iterator[Diagnostic]:
        misplaced = next(
            (n for n in walk(pod) if isinstance(n, Mapping) and n is not container.node and "command" in n
             and "image" not in n and n.key != "exec"),
            None,
        )
        if misplaced is not None and misplaced.get("command") is not None:
            node = misplaced.key_node("command") or misplaced
            yield self.report(
                node,
                f"this `command` is not in container `{container.name}` but under `{misplaced.path}`, where "
                "Kubernetes drops it: the container runs the image's own entrypoint, and Katib's pod webhook "
                "wraps that, not this command",
                help=f"indent `command` (and `args`) as fields of container `{container.name}`",
                severity=Severity.ERROR,
            )
            return
        image = as_str(container.node.get("image")) or ""
        spec = container.node.parent.parent if container.node.parent is not None else None
        pull_secrets = isinstance(spec, Mapping) and spec.get("imagePullSecrets") is not None
        node_credentials = bool(_NODE_CREDENTIAL_REGISTRIES.match(image)) and not pull_secrets
        # utils.go getContainerCommand / getRemoteImage: k8schain with the pod's imagePullSecrets and
        # service account only, from the katib-controller pod
        yield self.report(
            container.name_node or container.node,
            f"container `{container.name}` has no `command`, so Katib's pod webhook itself reads the entrypoint "
            f"of `{image or 'the image'}` from the registry, with the pod's `imagePullSecrets` and service "
            "account only"
            + (
                "; node credentials (the kubelet's ECR, GCR or ACR credential provider) do not apply there, so "
                "the lookup fails and every trial pod is denied"
                if node_credentials
                else "; where that fails (a registry reachable only from nodes, node-level credentials or "
                "mirrors) every trial pod is denied"
            ),
            help="write the image's entrypoint explicitly under `command`",
            severity=Severity.WARNING if node_credentials else Severity.INFO,
        )

    # -- `sh -c <script>`: Katib appends to the script ------------------------------------------------

    def _script(self, rest: list[Scalar], texts: list[str], kind: str, exp: Experiment, shell: str) -> Iterator[Diagnostic]:
        if not rest:
            return
        last = rest[-1]
        text = texts[-1]
        if text.rstrip(" \t") != text.rstrip():
            yield self._trailing_newline(last, kind, exp)
            return
        parsed = _top_level(_clean(" ".join(texts)))
        lost = self._marker_lost(parsed, last, kind)
        if lost is not None:
            yield lost
            return
        yield from self._children(parsed, last, kind, exp)
        if kind == "StdOut" and len(rest) == 1:
            final = re.split(r"&&|\|\||;|\n", _clean(text))[-1].split()
            if final and final[0] in _NOT_TRAINING:
                yield self.report(
                    last,
                    f"Katib appends ` 1>/var/log/katib/metrics.log 2>&1` to this `{shell} -c` script, which "
                    f"redirects only its last command, `{' '.join(final)[:40]}`: what the training printed before "
                    "never reaches the metrics file, so unless that command prints the metrics every Trial ends "
                    "MetricsUnavailable",
                    help="make the training command the script's last command, or group the script: "
                    "`{ ...; }` or `( ... )`",
                )

    def _trailing_newline(self, node: Scalar, kind: str, exp: Experiment) -> Diagnostic:
        if kind == "StdOut":
            what = ("` 1>/var/log/katib/metrics.log 2>&1` on a line of its own, where it redirects nothing: the "
                    "training's output never reaches the metrics file and every Trial ends MetricsUnavailable")
        else:
            # sh runs a script one complete command (line) at a time: the training runs first
            what = ("`&&`" if exp.early_stopping is None else "`||`") + (
                " at the start of a line, a shell syntax error: the training runs, then the shell exits with "
                "status 2 before marking it completed, so the container fails and the metrics collector "
                "reports no metrics")
        return self.report(
            node,
            f"the script ends with a line break, so Katib's wrapper puts {what}",
            help="end the script without a line break: a `|-` block scalar instead of `|`",
            severity=Severity.ERROR,
        )

    # -- the completion marker Katib appends must run -------------------------------------------------

    def _marker_lost(self, parsed: TopLevel, node: Scalar, kind: str) -> Diagnostic | None:
        """The appended `&& echo completed > <dir>/$$$$.pid` commented out or never reached.

        The collector (pns.go WaitPIDs) reads that file when the main process ends; without it the
        collector fails (`training container is failed. Unable to read file`) and reports nothing.
        """
        comment, commands = parsed
        lost = (
            "exits with an error without reporting any metrics (it finds no completion marker when the "
            "container ends), so the trial pod fails"
        )
        if comment is not None:
            what = "and the redirect to the metrics file " if kind == "StdOut" else ""
            return self.report(
                node,
                f"the script ends in a comment, `{_short(comment)[:40]}`, so the `&& echo completed > ...` "
                f"{what}that Katib appends to the script land inside it; the metrics collector {lost}",
                help="end the script with the training command: move the comment to a line of its own above it",
                severity=Severity.ERROR,
            )
        if not commands:
            return None
        sep, last = commands[-1]
        words = last.split()
        if words and words[0] in ("exec", "exit") and sep in ("", ";", "\n", "&&") and not set(last) & set("(){}"):
            verb = "replaces the shell" if words[0] == "exec" else "ends the shell"
            return self.report(
                node,
                f"the script ends with `{_short(last)[:40]}`, which {verb} before the `&& echo completed > ...` "
                f"that Katib appends to mark the training as completed; the metrics collector {lost}",
                help=f"drop `{words[0]}`" + (" and run the command as is" if words[0] == "exec" else "")
                + ": the shell's exit status is already the training's",
                severity=Severity.ERROR,
            )
        return None

    def _children(self, parsed: TopLevel, node: Scalar, kind: str, exp: Experiment) -> Iterator[Diagnostic]:
        """Early stopping stops the training by terminating the one child of the wrapper's shell.

        file-metricscollector main.go watchMetricsFile: when the stop rules are met it lists the
        children of the main process and exits (`Multiple children processes are not supported`)
        unless there is exactly one.
        """
        if exp.early_stopping is None or kind not in ("StdOut", "File"):
            return
        _, commands = parsed
        op = next((sep for sep, _ in commands if sep in ("|", "&")), None)
        if op is None:
            return
        what = "a pipeline (`|`)" if op == "|" else "a background command (`&`)"
        yield self.report(
            node,
            f"the script runs {what}, so the wrapper's shell has more than one child process; when an early-stopping "
            "rule is met the metrics collector stops only a single child and otherwise exits with an error "
            "(`Multiple children processes are not supported`): the training runs on and the Trial fails instead "
            "of stopping early",
            help="run the training as the script's only process, e.g. write its log from the program, not with `| tee`",
        )

    # -- `/bin/sh -c <script>`: not recognised, wrapped once more ---------------------------------------

    def _unrecognised_shell(self, items: list[Scalar], texts: list[str], kind: str, exp: Experiment) -> Iterator[Diagnostic]:
        shell, flag, script = texts[:3]
        words, _ = shell_words(re.split(r"[;&|\n]", _clean(script), maxsplit=1)[0])
        plain: list[str] = []
        skip = False
        for word, _ in words:  # drop redirections and their targets: `cat << EOF > f` runs `cat`
            if skip:
                skip = False
            elif (redirect := _REDIRECT.match(word)) is not None:
                skip = not redirect.group(2)
            else:
                plain.append(word)
        if len(plain) > 1:
            yield self.report(
                items[0],
                f"Katib keeps a shell script only when the command is exactly `sh -c` or `bash -c`; it wraps "
                f"`{shell} {flag}` in another `sh -c` that re-splits the script, so `{shell}` runs only "
                f"`{plain[0]}` and `{' '.join(plain[1:])[:40]}` become the shell's `$0`, `$1`, ...",
                help=f"write `command: [{'bash' if 'bash' in shell else 'sh'}, -c]` (with the script after it)",
                severity=Severity.ERROR,
            )
            return
        yield from self._script(items[2:], texts[2:], kind, exp, shell=shell)

    # -- exec form: joined with spaces and parsed by `sh` ----------------------------------------------

    def _exec_form(self, items: list[Scalar], raw: list[str], kind: str, exp: Experiment) -> Iterator[Diagnostic]:
        texts = [_clean(text) for text in raw]
        if texts[-1].rstrip(" \t") != texts[-1].rstrip():
            yield self._trailing_newline(items[-1], kind, exp)
            return
        joined = " ".join(texts)
        balanced = shell_words(joined)[1] if _QUOTING.search(joined) else True
        if not balanced:
            node, shown = next(((n, r) for n, r, t in zip(items, raw, texts) if not shell_words(t)[1]), (items[0], raw[0]))
            yield self.report(
                node,
                f"`{_short(shown)}` has an unmatched quote; Katib joins the command and args into one "
                "`sh -c` script, which then fails with a syntax error before training starts",
                help="remove the quote, or write the whole command as a `command: [sh, -c]` script quoted for the shell",
                severity=Severity.ERROR,
            )
            return
        parsed = _top_level(" ".join(texts))
        lost = self._marker_lost(parsed, items[-1], kind)
        if lost is not None:
            yield lost
            return
        yield from self._children(parsed, items[-1], kind, exp)
        program = texts[0].split()[0] if texts[0].split() else ""
        for index, (node, shown, text) in enumerate(zip(items, raw, texts)):
            if _PLAIN_WORD.fullmatch(text):
                continue  # one word with nothing the shell reads: most arguments
            if index == 0 or _OPERATOR_TOKEN.match(text.strip()):
                continue  # the program (or a whole command line), or shell syntax the author wrote on purpose
            words, _ = shell_words(text)
            code = texts[index - 1] in _CODE_FLAGS and _INTERPRETERS.match(program)
            if len(words) > 1 and (code or text.startswith("-")):
                yield self.report(
                    node,
                    f"`{_short(shown)}` is one argument, but Katib joins the command and args into one "
                    f"`sh -c` script and the shell splits it into {len(words)} words"
                    + (f", so `{program}` runs only `{words[0][0]}`" if code else ""),
                    help="quote the argument for the shell inside the item, or write the whole command as a "
                    "`command: [sh, -c]` script",
                    severity=Severity.ERROR if code else None,
                )
            elif len(words) == 1 and words[0][1] and " " not in text.strip():
                char = _OPERATOR_CHAR.search(text)
                yield self.report(
                    node,
                    f"`{_short(shown)}` contains `{char.group() if char else ''}`, which the `sh -c` "
                    "script Katib wraps the command in reads as shell syntax, not as part of the argument",
                    help="quote the argument for the shell inside the item, e.g. `--sep=';'`",
                )


def _short(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= 60 else one_line[:57] + "..."
