"""An exec credential plugin that fails must be named as the cause, not as "bad credentials".

The Python client runs `users[].user.exec.command` while loading the kubeconfig and, when the
command is missing or fails, only logs the error on the root logger (a stray `ERROR:root:` line
on stderr) and carries on without credentials, so the cluster then answers 401. kubectl stops
right there with the plugin's error. We do the same: the client's log records are collected
while the kubeconfig loads, and a failure becomes a KubeconfigError naming the plugin.
"""

from __future__ import annotations

import logging

from kubectl_netpoltest.cluster.kubeconfig import KubeSettings
from kubectl_netpoltest.errors import KubeconfigError


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


class PluginErrors:
    """From `capture_plugin_errors()` to `check()`, the root logger's output is held back."""

    def __init__(self) -> None:
        self._root = logging.getLogger()
        self._saved = list(self._root.handlers)
        self._collect = _Collect()
        self._root.handlers = [self._collect]

    def check(self, settings: KubeSettings) -> None:
        """Restore logging; raise if the client reported a credential plugin failure."""
        self._root.handlers = self._saved
        if not self._collect.messages:
            return
        detail = self._collect.messages[0].strip().splitlines()[0][:300]
        raise KubeconfigError(
            f"the kubeconfig's exec credential plugin failed ({settings.describe()}): {detail}",
            hint="The user entry gets its credentials by running a command "
            "(users[].user.exec.command in the kubeconfig): install that command or put it on "
            "PATH (e.g. gke-gcloud-auth-plugin, aws, kubelogin), or fix the kubeconfig; "
            "`kubectl get ns` fails the same way until then.",
        )


def capture_plugin_errors() -> PluginErrors:
    return PluginErrors()
