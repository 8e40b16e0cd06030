"""One short line from a message we did not write (API errors, exec status, stderr).

Cluster messages can carry the whole exec command, and ours is the ~9 KB probe script: put in
every probe's reason it made a 69 KB JUnit for 8 probes and buried the cause. A reason names the
cause in one line; the command itself is the same for every probe and says nothing.
"""

from __future__ import annotations

import re

LIMIT = 240

# The argv as kubelet and kube-apiserver print it: `[bash -c <script> netpoltest <args>]`.
# Greedy up to the last `]` that ends a word: the script itself is full of `]]` and `]`.
_EXEC_ARGV = re.compile(r"\[(?:/bin/|/usr/bin/)?(?:ba)?sh -c .*\](?=[,:;)\s]|$)", re.S)
_COMMAND_QUERY = re.compile(r"(command=)[^&\s\"']*(&command=[^&\s\"']*)*")


def one_line(text: str, *, limit: int = LIMIT) -> str:
    """`text` without any exec command, whitespace collapsed, at most `limit` characters."""
    text = _EXEC_ARGV.sub("[...]", text)
    text = _COMMAND_QUERY.sub(r"\1...", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."
