"""KubernetesGateway: the only module that imports the `kubernetes` client.

Design choices, each for a reason:
- Responses are read as raw JSON (`_preload_content=False`) and turned into our frozen data
  here: the 37.x client's pydantic models validate and convert eagerly, and the engine must not
  depend on them anyway.
- Every exec gets its own ApiClient: `kubernetes.stream.stream()` swaps `api_client.call_api`
  while it runs, so a shared client races with other threads (kubernetes-client/python#928).
- The exec stream and its status channel are read in `kubeexec.py`; JSON → PodInfo in
  `podjson.py`.
- The kubeconfig is loaded with `persist_config=False` (we never write to it) and the context
  is always passed explicitly, as resolved by `kubeconfig.py` (python#2386).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, cast

from kubernetes import client as k8s
from kubernetes import config as k8s_config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from kubectl_netpoltest.cluster import bounds, credentials
from kubectl_netpoltest.cluster.gateway import (
    ControllerInfo,
    ExecResult,
    PodInfo,
)
from kubectl_netpoltest.cluster.kubeconfig import KubeSettings
from kubectl_netpoltest.cluster.kubeexec import exec_outcome, run_exec
from kubectl_netpoltest.cluster.podjson import pod_deleted, pod_info, selector_string
from kubectl_netpoltest.cluster.translate import (
    UNREACHABLE,
    Action,
    api_error,
    short_error,
    unreachable,
)
from kubectl_netpoltest.errors import ClusterError, EphemeralUnsupported, KubeconfigError


class KubernetesGateway:
    """ClusterGateway over the official client. Construct with `connect(settings=...)`."""

    def __init__(
        self,
        *,
        settings: KubeSettings,
        configuration: k8s.Configuration,
        request_timeout: float | None,
        verbosity: int = 0,
    ) -> None:
        self._settings = settings
        self._configuration = configuration
        self._timeout = request_timeout
        self._verbosity = verbosity
        self._core = k8s.CoreV1Api(self._api_client())
        self._apps = k8s.AppsV1Api(self._core.api_client)

    def _api_client(self) -> k8s.ApiClient:
        """A client carrying kubectl's --as/--as-group impersonation headers, if any."""
        api_client = k8s.ApiClient(configuration=self._configuration)
        headers = cast(dict[str, str], api_client.default_headers)
        if self._settings.as_user:
            headers["Impersonate-User"] = self._settings.as_user
        for group in self._settings.as_groups:
            headers["Impersonate-Group"] = group
        return api_client

    @property
    def description(self) -> str:
        return self._settings.describe()

    # ------------------------------------------------------------------ plumbing

    def _call(
        self, action: Action, fn: Callable[..., Any], *args: Any, raw: bool = False, **kwargs: Any
    ) -> Any:
        """Call the client, translating its failures; JSON-decoded unless `raw` (a stream)."""
        kwargs.setdefault("_preload_content", False)
        if self._timeout is not None:
            kwargs.setdefault("_request_timeout", self._timeout)
        started = time.monotonic()
        try:
            response = fn(*args, **kwargs)
            self._log(action, "OK", started)
        except ApiException as exc:
            self._log(action, f"HTTP {exc.status}", started)
            raise api_error(
                status=int(exc.status or 0),
                body=str(exc.body or ""),
                reason=str(exc.reason or ""),
                action=action,
            ) from exc
        except UNREACHABLE as exc:
            raise unreachable(
                server=self._configuration.host,
                context=self._settings.context,
                detail=short_error(exc),
            ) from exc
        return response if raw else json.loads(response.data)

    def _log(self, action: Action, outcome: str, started: float) -> None:
        """kubectl's -v 6: one line per API request, on stderr."""
        if self._verbosity >= 6:
            took = (time.monotonic() - started) * 1000
            # One write per line: threads log at once, and print() writes the text and the
            # newline separately, which interleaved lines ("... msI exec ...").
            sys.stderr.write(
                f"I {action.describe()} ({self._configuration.host}): {outcome} in {took:.0f} ms\n"
            )

    # ------------------------------------------------------------------ pods

    def list_pods(
        self, *, namespace: str | None, label_selector: str | None = None
    ) -> list[PodInfo]:
        kwargs: dict[str, Any] = {"label_selector": label_selector} if label_selector else {}
        if namespace is None:
            data = self._call(
                Action("list", "pods"), self._core.list_pod_for_all_namespaces, **kwargs
            )
        else:
            data = self._call(
                Action("list", "pods", namespace),
                self._core.list_namespaced_pod,
                namespace,
                **kwargs,
            )
        return [pod_info(item) for item in data.get("items") or []]

    def get_pod(self, *, namespace: str, name: str) -> PodInfo:
        return pod_info(
            self._call(
                Action("get", "pods", namespace, name),
                self._core.read_namespaced_pod,
                name,
                namespace,
            )
        )

    def patch_pod_labels(
        self, *, namespace: str, name: str, labels: Mapping[str, str | None]
    ) -> PodInfo:
        body = {"metadata": {"labels": dict(labels)}}
        return pod_info(
            self._call(
                Action("patch", "pods", namespace, name),
                self._core.patch_namespaced_pod,
                name,
                namespace,
                body,
            )
        )

    def add_ephemeral_container(
        self,
        *,
        namespace: str,
        name: str,
        container: Mapping[str, Any],
        resource_version: str | None = None,
    ) -> PodInfo:
        # A dict body goes out as a strategic-merge patch, which appends by name; the container
        # must be wrapped in spec.ephemeralContainers (python#1859: a bare container is ignored).
        # metadata.resourceVersion in a patch is a precondition: 409 if the pod changed since.
        body: dict[str, Any] = {"spec": {"ephemeralContainers": [dict(container)]}}
        if resource_version:
            body["metadata"] = {"resourceVersion": resource_version}
        action = Action("patch", "pods/ephemeralcontainers", namespace, name)
        data = self._call(
            action, self._core.patch_namespaced_pod_ephemeralcontainers, name, namespace, body
        )
        pod = pod_info(data)
        if data.get("kind") != "Pod" or container["name"] not in pod.ephemeral_specs:
            raise EphemeralUnsupported(
                f"the cluster accepted the ephemeral container for {namespace}/{name} but did not "
                f"add it (answered kind {data.get('kind')!r})",
                hint="kubectl-netpoltest needs Kubernetes 1.25 or later.",
            )
        return pod

    def watch_pod(self, *, namespace: str, name: str, timeout_seconds: int) -> Iterator[PodInfo]:
        """The pod now, then every change until `timeout_seconds` (server-side) pass."""
        first = self._call(
            Action("list", "pods", namespace),
            self._core.list_namespaced_pod,
            namespace,
            field_selector=f"metadata.name={name}",
        )
        for item in first.get("items") or []:
            yield pod_info(item)
        version = (first.get("metadata") or {}).get("resourceVersion")
        action = Action("watch", "pods", namespace, name)
        response: Any = self._call(
            action,
            self._core.list_namespaced_pod,
            namespace,
            raw=True,
            field_selector=f"metadata.name={name}",
            watch=True,
            resource_version=version,
            timeout_seconds=timeout_seconds,
            _request_timeout=timeout_seconds + 10,
        )
        buffer = b""
        try:
            for chunk in response.stream(4096, decode_content=True):
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    if not line.strip():
                        continue
                    event = json.loads(line)
                    if event.get("type") == "ERROR":
                        obj = event.get("object") or {}
                        raise ClusterError(
                            f"watching {namespace}/{name} failed: {obj.get('message', obj)}"
                        )
                    if event.get("type") in ("ADDED", "MODIFIED", "DELETED"):
                        pod = pod_info(event.get("object") or {})
                        yield pod if event["type"] != "DELETED" else pod_deleted(pod)
        except UNREACHABLE as exc:
            raise unreachable(
                server=self._configuration.host,
                context=self._settings.context,
                detail=short_error(exc),
            ) from exc
        finally:
            response.release_conn()

    def annotate_pod(
        self,
        *,
        namespace: str,
        name: str,
        annotations: Mapping[str, str | None],
        resource_version: str | None = None,
    ) -> PodInfo:
        # A merge patch that carries metadata.resourceVersion is a precondition: the API server
        # answers 409 Conflict if the pod changed since (optimistic concurrency).
        metadata: dict[str, Any] = {"annotations": dict(annotations)}
        if resource_version:
            metadata["resourceVersion"] = resource_version
        return pod_info(
            self._call(
                Action("patch", "pods", namespace, name),
                self._core.patch_namespaced_pod,
                name,
                namespace,
                {"metadata": metadata},
            )
        )

    def delete_pod(self, *, namespace: str, name: str, uid: str) -> None:
        body = {"preconditions": {"uid": uid}}
        self._call(
            Action("delete", "pods", namespace, name),
            self._core.delete_namespaced_pod,
            name,
            namespace,
            body=body,
        )

    def get_controller(self, *, namespace: str, kind: str, name: str) -> ControllerInfo:
        readers = {
            "ReplicaSet": self._apps.read_namespaced_replica_set,
            "StatefulSet": self._apps.read_namespaced_stateful_set,
            "Deployment": self._apps.read_namespaced_deployment,
            "DaemonSet": self._apps.read_namespaced_daemon_set,
        }
        if kind not in readers:
            return ControllerInfo(kind=kind, name=name, replicas=None, selector=None)
        resource = kind.lower() + "s"
        data = self._call(
            Action("get", f"{resource}.apps", namespace, name), readers[kind], name, namespace
        )
        spec = data.get("spec") or {}
        return ControllerInfo(
            kind=kind,
            name=name,
            replicas=spec.get("replicas"),
            selector=selector_string(spec.get("selector")),
        )

    # ------------------------------------------------------------------ exec

    def exec_lines(
        self,
        *,
        namespace: str,
        pod: str,
        container: str,
        argv: Sequence[str],
        timeout_seconds: float,
        on_line: Callable[[str], None],
    ) -> ExecResult:
        """Run argv in the container, calling `on_line` per stdout line as it arrives."""
        action = Action("create", "pods/exec", namespace, pod)
        api = k8s.CoreV1Api(self._api_client())
        started = time.monotonic()
        result = run_exec(
            api=api,
            action=action,
            request_timeout=self._timeout,
            pod=pod,
            namespace=namespace,
            container=container,
            argv=argv,
            timeout_seconds=timeout_seconds,
            on_line=on_line,
        )
        if self._verbosity >= 6:
            took = (time.monotonic() - started) * 1000
            sys.stderr.write(
                f"I exec {namespace}/{pod} container {container} ({self._configuration.host}): "
                f"{exec_outcome(result.status)} in {took:.0f} ms\n"
            )
        return result


def _from_kubeconfig(settings: KubeSettings) -> k8s.Configuration:
    """What `new_client_from_config` does, plus kubectl's --cluster and --user overrides.

    The loader picks the context's cluster and user in `set_active_context`; the overrides
    replace those two choices and nothing else (kubectl's ClientConfig overrides, same order).
    """
    from kubernetes.config import kube_config

    loader = cast(Any, kube_config)._get_kube_config_loader(
        filename=os.pathsep.join(settings.files),
        active_context=settings.context,
        persist_config=False,
    )
    if settings.cluster:
        loader._cluster = loader._config["clusters"].get_with_name(settings.cluster)["cluster"]
    if settings.user:
        loader._user = loader._config["users"].get_with_name(settings.user)["user"]
    configuration = k8s.Configuration()
    loader.load_and_set(configuration)
    return configuration


def connect(
    *, settings: KubeSettings, request_timeout: float | None, verbosity: int = 0
) -> KubernetesGateway:
    """Load credentials the way kubectl would and build the gateway (no request is sent yet)."""
    plugin = credentials.capture_plugin_errors()  # the client only logs an exec plugin failure
    try:
        if settings.in_cluster:
            configuration = k8s.Configuration()
            loader: Any = k8s_config
            loader.load_incluster_config(client_configuration=configuration)
        else:
            configuration = _from_kubeconfig(settings)
        if settings.token:
            # kubectl --token replaces the user's credentials, exec plugins included.
            configuration.api_key = {"BearerToken": f"Bearer {settings.token}"}
            configuration.refresh_api_key_hook = None
    except (ConfigException, OSError, ValueError, TypeError) as exc:
        raise KubeconfigError(
            f"cannot load the kubeconfig ({settings.describe()}): {short_error(exc)}"
        ) from exc
    plugin.check(settings)
    bounds.no_silent_retries(configuration)
    bounds.install()
    return KubernetesGateway(
        settings=settings,
        configuration=configuration,
        request_timeout=request_timeout,
        verbosity=verbosity,
    )
