"""Opting out: a line ending in '# check_paths: ok <reason>' is not reported."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

from .findings import Finding

_OPT_OUT = re.compile(r"#\s*check_paths:\s*ok\b(?P<reason>[^#]*)")


def apply_opt_outs(findings: list[Finding], source: str, path: Path) -> list[Finding]:
    """Drop findings on lines with '# check_paths: ok <reason>'; report opt-outs without reason."""
    excused_lines: set[int] = set()
    kept: list[Finding] = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        tokens = []
    for token in tokens:
        match = _OPT_OUT.search(token.string) if token.type == tokenize.COMMENT else None
        if match is None:
            continue
        if re.search(r"\w", match["reason"]):
            excused_lines.add(token.start[0])
        else:
            line, column = token.start[0], token.start[1] + 1
            message = "opt-out without a reason; write '# check_paths: ok <why this path is safe>'"
            kept.append(Finding(path, line, column, "VP901", message))
    kept += [finding for finding in findings if finding.line not in excused_lines]
    return sorted(kept, key=lambda finding: (finding.line, finding.column, finding.code))
