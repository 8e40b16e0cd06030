"""`explain --policies` on hostile manifests: a wrong shape anywhere is a ManifestError that
names the file and the object (exit 2 at the CLI), never an internal error (exit 70).

Each case was an AttributeError/TypeError escaping `load_snapshot` (a string or list where the
API has an object), found by feeding malformed manifests to `explain --policies`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kubectl_netpoltest.core.policy.manifests import ManifestError, load_snapshot

NP = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"


@pytest.mark.parametrize(
    "manifest",
    [
        pytest.param(
            NP + "metadata: {name: bad, namespace: x}\nspec: {podSelector: oops}\n",
            id="podSelector a string",
        ),
        pytest.param(NP + "metadata: {name: bad, namespace: x}\nspec: [1, 2]\n", id="spec a list"),
        pytest.param(
            NP + "metadata: {name: bad, namespace: x}\nspec: {podSelector: {}, "
            "ingress: [{from: [{podSelector: [a]}]}]}\n",
            id="peer selector a list",
        ),
        pytest.param(
            NP + "metadata: {name: bad, namespace: x}\nspec: {podSelector: "
            "{matchLabels: [a, b]}}\n",
            id="matchLabels a list",
        ),
        pytest.param(
            NP + "metadata: just-a-name\nspec: {podSelector: oops}\n", id="metadata a string"
        ),
        pytest.param(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
            "spec: {template: {metadata: {labels: [a]}}}\n",
            id="template labels a list",
        ),
        pytest.param(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: oops\n",
            id="workload spec a string",
        ),
        pytest.param(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: oops}\n",
            id="pod labels a string",
        ),
    ],
)
def test_a_wrong_shape_is_a_manifest_error_naming_the_file(tmp_path: Path, manifest: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(manifest)
    with pytest.raises(ManifestError) as err:
        load_snapshot([str(path)], default_namespace="x")
    assert str(err.value).startswith(f"{path}: ")


POLICY = NP + "metadata: {name: p, namespace: x}\nspec: {podSelector: {}}\n"


def test_a_pipe_is_read_like_process_substitution(tmp_path: Path) -> None:
    """`explain spec --policies <(helm template chart)`: bash passes /dev/fd/63, a pipe. It
    was refused as 'no such file or directory' (the spec argument reads pipes already)."""
    import contextlib
    import os
    import threading

    fifo = tmp_path / "manifests"
    os.mkfifo(fifo)

    def write() -> None:
        with contextlib.suppress(BrokenPipeError), fifo.open("w") as out:
            out.write(POLICY)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        snap = load_snapshot([str(fifo)], default_namespace="x")
    finally:
        if writer.is_alive():  # never read: release the writer instead of hanging the test
            os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        writer.join(timeout=5)
    assert [p.name for p in snap.policies] == ["p"]


def test_dash_reads_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(POLICY.encode())))
    snap = load_snapshot(["-"], default_namespace="x")
    assert [p.name for p in snap.policies] == ["p"]


def test_a_device_is_refused_as_what_it_is() -> None:
    with pytest.raises(ManifestError, match=r"^/dev/zero: is not a regular file"):
        load_snapshot(["/dev/zero"], default_namespace="x")
