"""Control characters never reach a terminal or an XML file raw.

Rule, connection and pod names, and messages from the cluster, are not ours: an ESC sequence,
a carriage return or a newline inside them can rewrite what the terminal shows (a forged
`PASS ... 0 failed` line over a failing run). Console text therefore shows every control
character as a visible escape (`\\x1b`, `\\r`, `\\n`), as do bidi overrides that reorder text.
XML 1.0 cannot carry most C0 characters at all, so they get the same visible escape there.
JSON needs nothing from here: `json.dump` escapes control characters itself.
"""

from __future__ import annotations

import re

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

# C0, DEL, C1, and the Unicode bidi controls and line/paragraph separators.
_CONSOLE_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
# XML 1.0 allows tab, newline and carriage return; not the rest of C0, nor U+FFFE/U+FFFF.
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _visible(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def console_safe(text: str) -> str:
    """`text` on one line, every control character shown as an escape."""
    return _CONSOLE_UNSAFE.sub(_visible, text)


def console_safe_lines(text: str) -> str:
    """Like `console_safe`, but our own line breaks stay (multi-line error messages)."""
    return "\n".join(console_safe(line) for line in text.split("\n"))


def xml_safe(text: str) -> str:
    """`text` with the characters XML 1.0 cannot carry shown as escapes."""
    return _XML_UNSAFE.sub(_visible, text)
