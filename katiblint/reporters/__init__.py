"""Output formats. Each module has `render(results, options) -> str`; positions become 1-based here."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable, Sequence

from katiblint.engine import FileResult

FORMATS = ("full", "concise", "json", "sarif", "github", "gitlab")


@dataclass
class ReportOptions:
    color: bool = False
    show_fixes: bool = False
    files_checked: int = 0
    fixed: int = 0
    exit_code: int = 0
    root: str = "."
    unsafe_fixes: bool = False


def renderer(name: str) -> Callable[[Sequence[FileResult], ReportOptions], str]:
    module = importlib.import_module(f"katiblint.reporters.{name}")
    render: Callable[[Sequence[FileResult], ReportOptions], str] = module.render
    return render
