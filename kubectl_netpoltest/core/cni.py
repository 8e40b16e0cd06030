"""Which CNI enforces NetworkPolicy here, and does it drop or reject denied traffic?

Decided from what runs in the cluster (the agents' pods, by the labels and names their official
manifests use) and from the configuration that is readable (each CNI's documented defaults):
- kube-router (firewall on): always rejects -> reject;
- Calico: FelixConfiguration `default` with iptablesFilterDenyAction or nftablesFilterDenyAction
  `Reject` -> reject, else (Calico's default `Drop`, or unreadable) -> drop;
- Cilium: drop, also with `policy-deny-response: icmp` (an ICMP "filtered" reads as `rejected`,
  which passes in drop mode); `enable-policy: never` means no enforcement;
- Antrea, OVN-Kubernetes, Weave, AWS VPC CNI with the network policy agent: drop;
- flannel alone, AWS VPC CNI without `--enable-network-policy=true`: no enforcement (a doctor
  FAIL, never a mode);
- nothing recognised: unknown -> drop, with a note.
Pure: the engine reads the objects and hands them in as Kubernetes JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubectl_netpoltest.core.verdict import CniMode

SYSTEM_NAMESPACES = (
    "kube-system",
    "calico-system",
    "kube-flannel",
    "ovn-kubernetes",
    "openshift-ovn-kubernetes",
)
"""Where CNI agents run (operator installs use their own namespaces)."""

CONFIG_MAPS = (("kube-system", "cilium-config"),)
FELIX = ("crd.projectcalico.org", "v1", "felixconfigurations", "default")


@dataclass(frozen=True)
class Agent:
    """A recognised CNI agent pod."""

    cni: str
    pod: str
    """namespace/name, as evidence."""
    raw: Mapping[str, Any]


@dataclass(frozen=True)
class CniReport:
    cni: str | None
    """`calico`, `cilium`, ... or None when nothing was recognised."""
    enforces: bool | None
    """None: cannot tell (unknown CNI, or its configuration is unreadable)."""
    mode: CniMode
    why: str
    notes: tuple[str, ...] = ()

    def describe(self) -> str:
        return f"{self.mode.value} ({self.why})"


# (cni, label key, label value, pod-name prefix), from the projects' own manifests (R3).
_SIGNATURES: tuple[tuple[str, str, str, str], ...] = (
    ("calico", "k8s-app", "calico-node", "calico-node-"),
    ("cilium", "k8s-app", "cilium", "cilium-"),
    ("cilium", "app.kubernetes.io/name", "cilium-agent", "cilium-"),
    ("antrea", "component", "antrea-agent", "antrea-agent-"),
    ("kube-router", "k8s-app", "kube-router", "kube-router-"),
    ("ovn-kubernetes", "app", "ovnkube-node", "ovnkube-node-"),
    ("aws-vpc-cni", "k8s-app", "aws-node", "aws-node-"),
    ("weave", "name", "weave-net", "weave-net-"),
    ("flannel", "app", "flannel", "kube-flannel-"),
)
_ENFORCERS_FIRST = ("kube-router", "calico", "cilium", "antrea", "ovn-kubernetes", "weave")


def _identify(pod: Mapping[str, Any]) -> str | None:
    meta = pod.get("metadata") or {}
    labels = meta.get("labels") or {}
    name = str(meta.get("name", ""))
    for cni, key, value, _prefix in _SIGNATURES:
        if labels.get(key) == value:
            return cni
    for cni, _key, _value, prefix in _SIGNATURES:
        # Name prefixes alone: DaemonSet pods are `<ds>-<5 chars>`; avoid cilium-operator-...
        rest = name[len(prefix) :]
        if name.startswith(prefix) and len(rest) == 5 and "-" not in rest:
            return cni
    return None


def find_agents(pods: Sequence[Mapping[str, Any]]) -> list[Agent]:
    agents = []
    for pod in pods:
        cni = _identify(pod)
        if cni:
            meta = pod.get("metadata") or {}
            agents.append(
                Agent(cni=cni, pod=f"{meta.get('namespace')}/{meta.get('name')}", raw=pod)
            )
    return agents


def _args(pod: Mapping[str, Any], container: str | None = None) -> list[str]:
    out: list[str] = []
    for c in (pod.get("spec") or {}).get("containers") or []:
        if container is None or c.get("name") == container:
            out += [str(a) for a in [*(c.get("command") or []), *(c.get("args") or [])]]
    return out


def _flag(args: Sequence[str], name: str) -> str | None:
    """The value of `--name=value` or `--name value`; `--name` alone reads as "true"."""
    for index, arg in enumerate(args):
        if arg == name:
            following = args[index + 1] if index + 1 < len(args) else ""
            return following if following and not following.startswith("-") else "true"
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


_FELIX_ENV = {
    "FELIX_IPTABLESFILTERDENYACTION": "iptablesFilterDenyAction",
    "FELIX_NFTABLESFILTERDENYACTION": "nftablesFilterDenyAction",
    "FELIX_NFTABLESMODE": "nftablesMode",
    "FELIX_BPFENABLED": "bpfEnabled",
}


def _felix_env(pod: Mapping[str, Any]) -> dict[str, str]:
    """calico-node's FELIX_* settings: Felix reads environment variables before any
    FelixConfiguration (Calico docs, 'Configuring Felix': the first location with a value
    wins), so a manifest install's env overrides the resource."""
    found: dict[str, str] = {}
    for container in (pod.get("spec") or {}).get("containers") or []:
        for var in container.get("env") or []:
            field = _FELIX_ENV.get(str(var.get("name", "")).upper())
            if field is not None and var.get("value") is not None:
                found[field] = str(var["value"])
    return found


def _calico(felix: Mapping[str, Any] | None, evidence: str, env: Mapping[str, str]) -> CniReport:
    if felix is None:
        return CniReport(
            "calico",
            True,
            CniMode.DROP,
            f"Calico ({evidence}); FelixConfiguration 'default' not readable, assuming Calico's "
            "default deny action Drop",
            ("grant get on felixconfigurations.crd.projectcalico.org to let doctor check",),
        )
    spec = {**(felix.get("spec") or {}), **env}
    if str(spec.get("bpfEnabled", "")).lower() == "true":
        return CniReport(
            "calico",
            True,
            CniMode.DROP,
            f"Calico ({evidence}) on the eBPF dataplane: its deny answer is not verified, "
            "assuming drop",
        )
    # Only the active dataplane's action counts (reference R4). The dataplane as the Tigera
    # operator reads it from FelixConfiguration: bpfEnabled, else nftablesMode == Enabled,
    # else iptables (unset/Disabled is Calico's default); Auto picks per node: needs both.
    nftables = str(spec.get("nftablesMode", "")).lower()
    keys = {
        "enabled": ("nftablesFilterDenyAction",),
        "": ("iptablesFilterDenyAction",),
        "disabled": ("iptablesFilterDenyAction",),
    }.get(nftables, ("iptablesFilterDenyAction", "nftablesFilterDenyAction"))
    actions = {key: str(spec.get(key, "")).lower() for key in keys}
    rejecting = [key for key, value in actions.items() if value == "reject"]
    if rejecting and len(rejecting) == len(keys):
        return CniReport(
            "calico",
            True,
            CniMode.REJECT,
            f"Calico ({evidence}) with FelixConfiguration default {rejecting[0]}: Reject",
        )
    return CniReport(
        "calico", True, CniMode.DROP, f"Calico ({evidence}), FelixConfiguration deny action Drop"
    )


def _cilium(config: Mapping[str, Any] | None, evidence: str) -> CniReport:
    data = (config or {}).get("data") or {}
    if str(data.get("enable-policy", "")).lower() == "never":
        return CniReport(
            "cilium",
            False,
            CniMode.DROP,
            f"Cilium ({evidence}) with enable-policy=never in cilium-config: NetworkPolicy is "
            "not enforced",
        )
    response = data.get("policy-deny-response", "none")
    return CniReport(
        "cilium",
        True,
        CniMode.DROP,
        f"Cilium ({evidence}), policy-deny-response={response}: denied traffic is dropped"
        + (
            " or answered with ICMP 'filtered' (counts as blocked in drop mode)"
            if response == "icmp"
            else ""
        ),
    )


def detect(
    *,
    pods: Sequence[Mapping[str, Any]],
    config_maps: Mapping[str, Mapping[str, Any] | None],
    felix: Mapping[str, Any] | None,
    unreadable: Sequence[str] = (),
) -> CniReport:
    """The CNI report. `config_maps` by name (None: absent/unreadable); `unreadable` lists the
    namespaces whose pods could not be listed (said in the report, never guessed around)."""
    agents = find_agents(pods)
    found = {a.cni: a for a in reversed(agents)}
    notes = tuple(f"cannot list pods in {ns}" for ns in unreadable)
    if not found:
        return CniReport(
            None,
            None,
            CniMode.DROP,
            "no known CNI agent found"
            + (f" ({'; '.join(notes)})" if notes else "")
            + "; assuming denied traffic is dropped",
            notes,
        )
    names = sorted(found)
    extra: tuple[str, ...] = (f"several CNIs found: {', '.join(names)}",) if len(names) > 1 else ()
    reports = [
        _one(
            cni, found[cni], config_maps=config_maps, felix=felix, evidence=f"pod {found[cni].pod}"
        )
        for cni in _ENFORCERS_FIRST
        if cni in found
    ]
    if reports:
        # The one that enforces decides (a routing-only kube-router beside Cilium or Calico
        # is not the policy engine); enforcers that disagree mean drop: in reject mode a
        # closed port's refusal would count as blocked, a false PASS wherever they drop.
        enforcing = [r for r in reports if r.enforces] or reports
        report = enforcing[0]
        mode = report.mode
        if len({r.mode for r in enforcing}) > 1:
            mode = CniMode.DROP
            extra += (
                f"{', '.join(r.cni or '?' for r in enforcing)} all enforce, and not alike: "
                "assuming drop; pass --cni-mode reject only if every denied packet is "
                "answered with a reset or port-unreachable",
            )
        return CniReport(
            report.cni, report.enforces, mode, report.why, report.notes + extra + notes
        )
    if "aws-vpc-cni" in found:
        agent = found["aws-vpc-cni"]
        flag = _flag(_args(agent.raw, "aws-eks-nodeagent"), "--enable-network-policy")
        if flag == "true":
            return CniReport(
                "aws-vpc-cni",
                True,
                CniMode.DROP,
                f"AWS VPC CNI (pod {agent.pod}) with the network policy agent on",
                extra + notes,
            )
        return CniReport(
            "aws-vpc-cni",
            False,
            CniMode.DROP,
            f"AWS VPC CNI (pod {agent.pod}) without --enable-network-policy=true on "
            "its aws-eks-nodeagent container: NetworkPolicy is not enforced",
            extra + notes,
        )
    agent = found["flannel"]
    return CniReport(
        "flannel",
        False,
        CniMode.DROP,
        f"flannel (pod {agent.pod}) alone does not enforce NetworkPolicy",
        extra + notes,
    )


def _one(
    cni: str,
    agent: Agent,
    *,
    config_maps: Mapping[str, Mapping[str, Any] | None],
    felix: Mapping[str, Any] | None,
    evidence: str,
) -> CniReport:
    if cni == "kube-router":
        if _flag(_args(agent.raw), "--run-firewall") == "false":
            return CniReport(  # nothing here rejects: a refusal is a closed port (drop mode)
                "kube-router",
                False,
                CniMode.DROP,
                f"kube-router ({evidence}) runs with --run-firewall=false: "
                "NetworkPolicy is not enforced",
            )
        return CniReport(
            "kube-router",
            True,
            CniMode.REJECT,
            f"kube-router ({evidence}) always rejects denied traffic",
        )
    if cni == "calico":
        return _calico(felix, evidence, _felix_env(agent.raw))
    if cni == "cilium":
        return _cilium(config_maps.get("cilium-config"), evidence)
    label = {"antrea": "Antrea", "ovn-kubernetes": "OVN-Kubernetes", "weave": "Weave Net"}[cni]
    notes = (
        (
            "Antrea-native policies with action Reject answer TCP with a reset; use --cni-mode "
            "reject for probes they cover",
        )
        if cni == "antrea"
        else ()
    )
    return CniReport(cni, True, CniMode.DROP, f"{label} ({evidence}) drops denied traffic", notes)
