"""kubectl's identity flags reach the client: --cluster, --user, --token, --as, --as-group.

No request is sent: `connect` only builds the client configuration, which is what decides the
server, the credentials and the impersonation headers every later request carries.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import yaml

from kubectl_netpoltest.cluster.kube import KubernetesGateway, connect
from kubectl_netpoltest.cluster.kubeconfig import KubeSettings, resolve


def _config(tmp_path: Path) -> str:
    path = tmp_path / "config"
    path.write_text(
        yaml.safe_dump(
            {
                "current-context": "ctx",
                "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
                "clusters": [
                    {"name": "c", "cluster": {"server": "https://127.0.0.1:1"}},
                    {"name": "other", "cluster": {"server": "https://127.0.0.2:2"}},
                ],
                "users": [
                    {"name": "u", "user": {"token": "from-u"}},
                    {"name": "v", "user": {"token": "from-v"}},
                ],
            }
        )
    )
    return str(path)


def _settings(tmp_path: Path, *, cluster: str | None = None) -> KubeSettings:
    return resolve(
        kubeconfig=_config(tmp_path),
        context=None,
        namespace=None,
        environ={},
        require=True,
        cluster=cluster,
    )


def _bearer(gateway: KubernetesGateway) -> str:
    """The Authorization header value the client will send."""
    return str(gateway._configuration.auth_settings()["BearerToken"]["value"])


def test_context_defaults(tmp_path: Path) -> None:
    gateway = connect(settings=_settings(tmp_path), request_timeout=5)
    assert gateway._configuration.host == "https://127.0.0.1:1"
    assert _bearer(gateway) == "Bearer from-u"
    assert "Impersonate-User" not in gateway._api_client().default_headers


def test_cluster_and_user_replace_the_contexts(tmp_path: Path) -> None:
    settings = replace(_settings(tmp_path, cluster="other"), user="v")
    assert settings.server == "https://127.0.0.2:2"
    gateway = connect(settings=settings, request_timeout=5)
    assert gateway._configuration.host == "https://127.0.0.2:2"
    assert _bearer(gateway) == "Bearer from-v"


def test_token_replaces_the_users_credentials(tmp_path: Path) -> None:
    settings = replace(_settings(tmp_path), token="s3cret")
    gateway = connect(settings=settings, request_timeout=5)
    assert _bearer(gateway) == "Bearer s3cret"
    assert "s3cret" not in repr(settings)


def test_impersonation_headers_on_every_client(tmp_path: Path) -> None:
    settings = replace(_settings(tmp_path), as_user="jane", as_groups=("auditors",))
    gateway = connect(settings=settings, request_timeout=5)
    for client in (gateway._core.api_client, gateway._api_client()):
        headers = client.default_headers
        assert headers["Impersonate-User"] == "jane"
        assert headers["Impersonate-Group"] == "auditors"
