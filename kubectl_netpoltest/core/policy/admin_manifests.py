"""Admin-tier objects among manifest files (offline `--policies`), as plain dicts.

Only `policy.networking.k8s.io` objects of the three admin kinds count: Antrea's own
`ClusterNetworkPolicy` (crd.antrea.io) shares the kind name but not the API (I1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kubectl_netpoltest.core.policy.admin_model import GROUP, SHORT_NAMES
from kubectl_netpoltest.core.policy.manifests import _documents, _files


def is_admin_tier(doc: Mapping[str, Any]) -> bool:
    return doc.get("kind") in SHORT_NAMES and str(doc.get("apiVersion", "")).startswith(f"{GROUP}/")


def admin_documents(paths: Iterable[str]) -> list[Mapping[str, Any]]:
    return [doc for path in _files(paths) for doc in _documents(path) if is_admin_tier(doc)]
