"""Probing from inside a source pod: what runs there and what its output means.

`task` (one probe: host, port, method) → `command` (the one exec argv that runs a batch) →
`script` (the bash program itself) → `lines` (the streamed result lines) → `observe` (one
result line → Observation) → `batch` (the whole stream → outcomes per probe id).
"""
