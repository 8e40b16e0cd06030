"""kubectl's kubeconfig rules: file choice, first-wins merging, context and namespace."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from kubectl_netpoltest.cluster.kubeconfig import resolve
from kubectl_netpoltest.errors import KubeconfigError


def _write(
    path: Path,
    *,
    current: str | None,
    contexts: dict[str, str | None],
    server: str = "https://a.example:6443",
) -> str:
    data = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": f"cl-{n}", "cluster": {"server": server}} for n in contexts],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [
            {
                "name": n,
                "context": {"cluster": f"cl-{n}", "user": "u", **({"namespace": ns} if ns else {})},
            }
            for n, ns in contexts.items()
        ],
    }
    if current:
        data["current-context"] = current
    path.write_text(yaml.safe_dump(data))
    return str(path)


def test_first_file_with_current_context_wins(tmp_path: Path) -> None:
    a = _write(tmp_path / "a", current="ctx-a", contexts={"ctx-a": "ns-a"})
    b = _write(tmp_path / "b", current="ctx-b", contexts={"ctx-b": "ns-b"})
    settings = resolve(
        kubeconfig=None,
        context=None,
        namespace=None,
        environ={"KUBECONFIG": os.pathsep.join([a, b])},
        require=True,
    )
    assert (settings.context, settings.namespace, settings.files) == ("ctx-a", "ns-a", (a, b))


def test_first_file_without_current_context_defers_to_the_next(tmp_path: Path) -> None:
    a = _write(tmp_path / "a", current=None, contexts={"ctx-a": None})
    b = _write(tmp_path / "b", current="ctx-b", contexts={"ctx-b": None})
    settings = resolve(
        kubeconfig=None,
        context=None,
        namespace=None,
        environ={"KUBECONFIG": f"{a}{os.pathsep}{b}"},
        require=True,
    )
    assert (settings.context, settings.namespace) == ("ctx-b", "default")


def test_same_named_context_first_definition_wins(tmp_path: Path) -> None:
    a = _write(tmp_path / "a", current="x", contexts={"x": "first"})
    b = _write(tmp_path / "b", current="x", contexts={"x": "second"})
    settings = resolve(
        kubeconfig=None,
        context=None,
        namespace=None,
        environ={"KUBECONFIG": f"{a}{os.pathsep}{b}"},
        require=True,
    )
    assert settings.namespace == "first"


def test_missing_files_in_the_list_are_skipped(tmp_path: Path) -> None:
    a = _write(tmp_path / "a", current="ctx-a", contexts={"ctx-a": None})
    settings = resolve(
        kubeconfig=None,
        context=None,
        namespace=None,
        environ={"KUBECONFIG": f"{tmp_path}/nope{os.pathsep}{a}"},
        require=True,
    )
    assert settings.files == (a,)


def test_flags_override_context_and_namespace(tmp_path: Path) -> None:
    a = _write(tmp_path / "a", current="ctx-a", contexts={"ctx-a": "ns-a", "other": "ns-o"})
    settings = resolve(kubeconfig=a, context="other", namespace=None, environ={}, require=True)
    assert (settings.context, settings.namespace) == ("other", "ns-o")
    settings = resolve(kubeconfig=a, context="other", namespace="flag", environ={}, require=True)
    assert settings.namespace == "flag"


def test_explicit_kubeconfig_means_only_that_file(tmp_path: Path) -> None:
    a = _write(tmp_path / "a", current="ctx-a", contexts={"ctx-a": None})
    b = _write(tmp_path / "b", current="ctx-b", contexts={"ctx-b": None})
    settings = resolve(
        kubeconfig=b, context=None, namespace=None, environ={"KUBECONFIG": a}, require=True
    )
    assert (settings.files, settings.context) == ((b,), "ctx-b")


def test_unknown_context_lists_the_available_ones(tmp_path: Path) -> None:
    a = _write(tmp_path / "a", current="ctx-a", contexts={"ctx-a": None, "prod": None})
    with pytest.raises(KubeconfigError) as info:
        resolve(kubeconfig=a, context="nope", namespace=None, environ={}, require=True)
    assert "context 'nope' is not in" in str(info.value)
    assert "Available contexts: ctx-a, prod." in str(info.value)


def test_missing_explicit_kubeconfig_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KubeconfigError, match="does not exist"):
        resolve(
            kubeconfig=str(tmp_path / "x"), context=None, namespace=None, environ={}, require=False
        )


def test_no_kubeconfig_is_fine_when_not_required(tmp_path: Path) -> None:
    settings = resolve(
        kubeconfig=None,
        context=None,
        namespace=None,
        environ={"HOME": str(tmp_path)},
        require=False,
    )
    assert settings.namespace == "default"
    with pytest.raises(KubeconfigError, match="no kubeconfig found"):
        resolve(
            kubeconfig=None,
            context=None,
            namespace=None,
            environ={"HOME": str(tmp_path)},
            require=True,
        )
