"""Each container's own files: a private /tmp and the log of its stdout/stderr.

A real container has its own root filesystem, so `/tmp/<name>.stop` written by the product's
debug container lives and dies with the container, and `kubectl logs` reads what the
container printed (the kubelet's /var/log/pods/<ns>_<pod>_<uid>/<container>/). Here both live
under `<root>/<pod uid>/<container>/` on the host: `tmp/` is bound over /tmp inside the
container (Network.spawn tmp_dir), `log` collects its output. Deleting the pod deletes the
directory, so nothing of a container survives the pod, and nothing survives `down`.
"""

from __future__ import annotations

import shutil
from pathlib import Path


class ContainerFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _dir(self, pod_uid: str, container: str) -> Path:
        if "/" in pod_uid or "/" in container or container in ("", ".", ".."):
            raise ValueError(f"bad container key {pod_uid}/{container}")
        return self.root / pod_uid / container

    def tmp(self, pod_uid: str, container: str) -> Path:
        """The container's /tmp (created on first use, mode 1777 like /tmp)."""
        path = self._dir(pod_uid, container) / "tmp"
        if not path.is_dir():
            path.mkdir(parents=True, exist_ok=True)
            path.chmod(0o1777)
        return path

    def log_path(self, pod_uid: str, container: str) -> Path:
        path = self._dir(pod_uid, container) / "log"
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def read_log(self, pod_uid: str, container: str) -> bytes:
        try:
            return (self._dir(pod_uid, container) / "log").read_bytes()
        except (FileNotFoundError, ValueError):
            return b""

    def remove_pod(self, pod_uid: str) -> None:
        if "/" not in pod_uid and pod_uid:
            shutil.rmtree(self.root / pod_uid, ignore_errors=True)

    def remove_all(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
