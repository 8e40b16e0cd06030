"""The least-privilege RBAC the tool needs, as plain Kubernetes objects (dicts).

One list of rules serves three readers: `kubectl netpoltest rbac` prints it, the krew caveats
summarise it, and the README points at the command. Each rule says why it is needed, so a
cluster admin can audit the grant instead of trusting it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

RBAC_API = "rbac.authorization.k8s.io"
RBAC_VERSION = f"{RBAC_API}/v1"
DEFAULT_NAME = "kubectl-netpoltest"


@dataclass(frozen=True)
class Rule:
    """One PolicyRule plus the reason the tool needs it."""

    api_group: str
    resources: tuple[str, ...]
    verbs: tuple[str, ...]
    why: str
    cluster_only: bool = False
    """Cluster-scoped or outside the tested namespaces: only in the --cluster-wide ClusterRole.
    These serve doctor's diagnosis and `--cni-mode auto`; without them those say "unknown"."""
    resource_names: tuple[str, ...] = ()
    optional: bool = False
    """Never required by prepare/execute/cleanup (only by generate, enforce-time, predictions,
    diagnosis, or as cleanup's hint): doctor warns instead of failing when it is missing."""

    def as_policy_rule(self) -> dict[str, Any]:
        rule: dict[str, Any] = {
            "apiGroups": [self.api_group],
            "resources": list(self.resources),
            "verbs": list(self.verbs),
        }
        if self.resource_names:
            rule["resourceNames"] = list(self.resource_names)
        return rule


RULES: tuple[Rule, ...] = (
    Rule(
        api_group="",
        resources=("pods",),
        verbs=("get", "list", "watch", "patch", "delete"),
        why="find source and target pods, wait for the probe container, label instrumented "
        "pods and hold cleanup's lease annotation on them (patch), recycle them on cleanup "
        "(delete)",
    ),
    Rule(
        api_group="",
        resources=("pods/ephemeralcontainers",),
        verbs=("patch",),
        why="add the probe container to a running pod",
    ),
    Rule(
        api_group="",
        resources=("pods/exec",),
        verbs=("create", "get"),
        why="run probes; websocket exec is a GET, and since 1.35 also needs create",
    ),
    Rule(
        api_group="apps",
        resources=("replicasets", "deployments", "statefulsets", "daemonsets"),
        verbs=("get",),
        why="read a workload's desired replicas: cleanup's hint that a replacement is on its "
        "way (cleanup decides from Ready pods and works without it)",
        optional=True,
    ),
    Rule(
        api_group="networking.k8s.io",
        resources=("networkpolicies",),
        verbs=("get", "list", "watch"),
        why="generate, explain, coverage and execute's predictions read the policies; "
        "enforce-time watches them change",
        optional=True,
    ),
    Rule(
        api_group="",
        resources=("services",),
        verbs=("list",),
        why="explain, coverage and execute's predictions decide a Service target on its "
        "backend pods and targetPort",
        optional=True,
    ),
    Rule(
        api_group="discovery.k8s.io",
        resources=("endpointslices",),
        verbs=("list",),
        why="explain, coverage and execute's predictions find each Service's ready backends",
        optional=True,
    ),
    Rule(
        api_group="",
        resources=("namespaces",),
        verbs=("get", "list"),
        why="doctor reads each namespace's Pod Security level; predictions match "
        "namespaceSelectors against namespace labels",
        cluster_only=True,
        optional=True,
    ),
    Rule(
        api_group="",
        resources=("configmaps",),
        verbs=("get",),
        why="doctor and --cni-mode auto read the CNI's configuration (Cilium)",
        cluster_only=True,
        optional=True,
        resource_names=("cilium-config",),
    ),
    Rule(
        api_group="crd.projectcalico.org",
        resources=("felixconfigurations",),
        verbs=("get",),
        why="doctor and --cni-mode auto read Calico's deny action (Drop or Reject)",
        cluster_only=True,
        optional=True,
        resource_names=("default",),
    ),
    Rule(
        api_group="policy.networking.k8s.io",
        resources=(
            "clusternetworkpolicies",
            "adminnetworkpolicies",
            "baselineadminnetworkpolicies",
        ),
        verbs=("list",),
        why="predictions read the cluster-wide admin tiers (ClusterNetworkPolicy, "
        "Admin/BaselineAdminNetworkPolicy); without it they say the tiers are unreadable",
        cluster_only=True,
        optional=True,
    ),
)


@dataclass(frozen=True)
class Subject:
    """Who gets the role: a user, a group or a service account (which has a namespace)."""

    kind: Literal["User", "Group", "ServiceAccount"]
    name: str
    namespace: str | None = None

    def as_subject(self) -> dict[str, Any]:
        if self.kind == "ServiceAccount":
            return {"kind": self.kind, "name": self.name, "namespace": self.namespace}
        return {"kind": self.kind, "apiGroup": RBAC_API, "name": self.name}


def service_account(text: str) -> Subject:
    """Parse kubectl's `NAMESPACE:NAME` form of --serviceaccount."""
    namespace, sep, name = text.partition(":")
    if not sep or not namespace or not name or ":" in name:
        raise ValueError(f"{text!r} is not NAMESPACE:NAME")
    return Subject(kind="ServiceAccount", name=name, namespace=namespace)


def rbac_objects(
    *,
    namespace: str | None,
    subjects: Sequence[Subject],
    name: str = DEFAULT_NAME,
) -> list[dict[str, Any]]:
    """A Role (namespace given) or ClusterRole (namespace None), then its binding if any subject.

    Without subjects only the role is returned: binding is often done separately, e.g. by a
    group sync, and an empty `subjects` list would be a binding that grants nothing.
    """
    cluster_wide = namespace is None
    metadata: dict[str, Any] = {"name": name}
    if not cluster_wide:
        metadata["namespace"] = namespace
    role_kind = "ClusterRole" if cluster_wide else "Role"
    role = {
        "apiVersion": RBAC_VERSION,
        "kind": role_kind,
        "metadata": dict(metadata),
        "rules": [rule.as_policy_rule() for rule in RULES if cluster_wide or not rule.cluster_only],
    }
    if not subjects:
        return [role]
    binding = {
        "apiVersion": RBAC_VERSION,
        "kind": "ClusterRoleBinding" if cluster_wide else "RoleBinding",
        "metadata": dict(metadata),
        "roleRef": {"apiGroup": RBAC_API, "kind": role_kind, "name": name},
        "subjects": [subject.as_subject() for subject in subjects],
    }
    return [role, binding]
