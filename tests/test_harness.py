"""The fixture harness reads both expectation forms and blanks other cases correctly."""

from __future__ import annotations

from harness import case_text, split_cases

TEXT = """# header comment
---
a: 1  # expect: 4 [KAT101] "x"
# expect: [KAT302]
# expect: 7 [KAT302]
b: 2
---
# options: {"istio-inject": "false"}
# expect-at: 3:5 [KAT401]
c: |
  x
  y
"""


def test_same_line_and_next_line_expectations() -> None:
    first, second = split_cases(TEXT)
    assert [(e.line, e.code, e.column, e.text) for e in first.expectations] == [
        (3, "KAT101", 4, "x"),
        (6, "KAT302", None, None),
        (6, "KAT302", 7, None),
    ]
    assert second.options == {"istio-inject": "false"}
    # line 3 of the second document is file line 10
    assert [(e.line, e.column) for e in second.expectations] == [(10, 5)]


def test_case_text_keeps_line_numbers() -> None:
    first, second = split_cases(TEXT)
    blanked = case_text(TEXT, second).split("\n")
    assert blanked[9] == "c: |" and blanked[2] == ""
    assert len(blanked) == len(TEXT.split("\n"))
