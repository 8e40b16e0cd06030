"""Tier order around the NetworkPolicy evaluator: Admin, NetworkPolicy, Baseline, default.

Per direction (network-policy-api's ClusterNetworkPolicySpec.Tier and Priority docs):
1. Admin: the Admin-tier policies selecting the pod with rules in this direction, by priority
   (lower first); inside a policy the first matching rule is its decision (rules are evaluated in
   order). Accept ends this direction (allowed; the other side still decides its own), Deny ends the
   connection, Pass skips the rest of the tier.
2. NetworkPolicy: if any NetworkPolicy selects the pod for this direction, it decides.
3. Baseline: like Admin, only reached by pods no NetworkPolicy selects in this direction.
4. Default: allowed.

What the API leaves open is `undefined`, never a guess: policies of one tier with
the same priority whose matching rules disagree (`same-priority-overlap`), and a v1alpha1
object against a v1alpha2 one in the same tier when they disagree (`mixed-api-versions`).

`TieredPredictor` is a `Predictor` whose `direction()` runs this chain, so `connection()` and
`predict()` (own IP, hostNetwork, Services after DNAT) work unchanged. The reason of each
side is the chain, e.g.
`[Admin] Pass (cnp/dev-pass ingress[0]) → [NetworkPolicy] allowed (shop/allow-db ingress[0])`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import groupby

from kubectl_netpoltest.core.labels import LabelSelector
from kubectl_netpoltest.core.labels import selector_matches as matches
from kubectl_netpoltest.core.policy.admin_matching import (
    matches_namespace,
    rule_matches,
    rules_of,
    selects,
)
from kubectl_netpoltest.core.policy.admin_model import Action, AdminPolicy, Tier
from kubectl_netpoltest.core.policy.decision import (
    Code,
    Decision,
    Direction,
    DirectionDecision,
    RuleRef,
)
from kubectl_netpoltest.core.policy.matching import Assumptions, Endpoint, Tri
from kubectl_netpoltest.core.policy.objects import Namespace, Pod, Snapshot
from kubectl_netpoltest.core.policy.predict import Predictor

ARROW = " → "


@dataclass(frozen=True)
class Side:
    """What one side of the connection is matched against."""

    direction: Direction
    peer: Endpoint
    destination: Endpoint
    port: int
    protocol: str


@dataclass(frozen=True)
class TierResult:
    """One tier's answer: an action (None = nothing matched), or undefined with a code."""

    action: Action | None
    refs: tuple[RuleRef, ...] = ()
    undefined: Code | None = None
    why: str = ""


def _ref(policy: AdminPolicy, rule: str | None = None) -> RuleRef:
    short, _, name = policy.ref.partition("/")
    return RuleRef("", name, rule, kind=short)


def _policy_result(
    policy: AdminPolicy, side: Side, namespaces: Mapping[str, Namespace]
) -> TierResult:
    """T4: the first matching rule of a policy is its decision."""
    for i, rule in enumerate(rules_of(policy, side.direction)):
        m = rule_matches(
            rule,
            peer=side.peer,
            destination=side.destination,
            port=side.port,
            protocol=side.protocol,
            namespaces=namespaces,
        )
        path = f"{side.direction.value}[{i}]"
        if m.tri is Tri.YES:
            return TierResult(rule.action, (_ref(policy, path),))
        if m.tri is Tri.MAYBE:
            assert m.code is not None
            return TierResult(
                None,
                (_ref(policy, path),),
                m.code,
                f"whether {policy.ref} {path} ({rule.action.value}) matches is "
                f"not defined by the API ({m.code.value})",
            )
    return TierResult(None)


def _priority(policy: AdminPolicy) -> int:
    return policy.priority if policy.priority is not None else 1 << 31


def evaluate_tier(
    policies: Sequence[AdminPolicy], side: Side, namespaces: Mapping[str, Namespace]
) -> TierResult:
    """Policies in priority order; equal priorities that disagree are undefined (T5)."""
    ordered = sorted(policies, key=_priority)
    for _, group_iter in groupby(ordered, key=_priority):
        group = list(group_iter)
        results = [_policy_result(p, side, namespaces) for p in group]
        unknown = next((r for r in results if r.undefined is not None), None)
        if unknown is not None:
            return unknown
        matched = [r for r in results if r.action is not None]
        if not matched:
            continue
        refs = tuple(ref for r in matched for ref in r.refs)
        actions = {r.action for r in matched}
        if len(actions) > 1:
            said = ", ".join(f"{r.refs[0]} says {r.action}" for r in matched)
            return TierResult(
                None,
                refs,
                Code.SAME_PRIORITY_OVERLAP,
                f"same priority {_priority(group[0])}, different actions ({said}):"
                " the API lets the implementation apply any of them",
            )
        return TierResult(matched[0].action, refs)
    return TierResult(None)


def _tier(
    policies: Sequence[AdminPolicy], side: Side, namespaces: Mapping[str, Namespace]
) -> TierResult:
    """L6: no API orders v1alpha1 against v1alpha2 objects of one tier."""
    old = [p for p in policies if p.kind != "ClusterNetworkPolicy"]
    if old and len(old) < len(policies):
        new = [p for p in policies if p.kind == "ClusterNetworkPolicy"]
        a, b = evaluate_tier(new, side, namespaces), evaluate_tier(old, side, namespaces)
        if a.action is not None and b.action is not None and a.action != b.action:
            return TierResult(
                None,
                a.refs + b.refs,
                Code.MIXED_API_VERSIONS,
                f"{a.refs[0]} says {a.action}, {b.refs[0]} says {b.action}: no "
                "API orders v1alpha2 ClusterNetworkPolicies against v1alpha1 "
                "Admin/BaselineAdminNetworkPolicies",
            )
    return evaluate_tier(policies, side, namespaces)


def _step(tier: Tier, result: TierResult) -> str:
    if result.action is None:
        return f"[{tier.value}] no rule matches"
    return f"[{tier.value}] {result.action.value} ({', '.join(str(r) for r in result.refs)})"


def _np_step(np: DirectionDecision) -> str:
    if np.decision is Decision.ALLOWED and np.policies:
        return f"[NetworkPolicy] allowed ({np.policies[0]})"
    return f"[NetworkPolicy] {np.decision.value}: {np.reason}"


class TieredPredictor(Predictor):
    """A Predictor that also applies ClusterNetworkPolicies and (Baseline)AdminNetworkPolicies."""

    def __init__(
        self,
        snapshot: Snapshot,
        admin_policies: Sequence[AdminPolicy],
        *,
        assumptions: Assumptions | None = None,
        unreadable: Sequence[str] = (),
    ) -> None:
        """`unreadable`: admin-tier resources the cluster serves but the reader may not list
        (I4); any of their objects could decide, so every side becomes undefined."""
        super().__init__(snapshot, assumptions=assumptions)
        self.admin_policies = tuple(admin_policies)
        self.unreadable = tuple(unreadable)
        self._tier_cache: dict[tuple[Tier, Pod, Direction], list[AdminPolicy]] = {}
        self._ns_cache: dict[
            tuple[Tier, str, Direction], list[tuple[AdminPolicy, LabelSelector | None]]
        ] = {}

    def tier_policies(self, tier: Tier, pod: Pod, direction: Direction) -> list[AdminPolicy]:
        """The tier's policies selecting `pod` that have rules in `direction` (T7)."""
        if pod.host_network:
            return []  # T6: never a subject
        key = (tier, pod, direction)
        found = self._tier_cache.get(key)
        if found is None:
            found = [
                p
                for p, pod_selector in self._candidates(tier, pod.namespace, direction)
                if pod_selector is None or matches(pod_selector, pod.labels)
            ]
            self._tier_cache[key] = found
        return found

    def _candidates(
        self, tier: Tier, namespace: str, direction: Direction
    ) -> list[tuple[AdminPolicy, LabelSelector | None]]:
        """Policies whose subject's namespace part matches `namespace` (cached per
        namespace: most pods share it), each with the pod selector still to check."""
        key = (tier, namespace, direction)
        found = self._ns_cache.get(key)
        if found is None:
            probe = Pod(namespace=namespace, name="")
            found = []
            for p in self.admin_policies:
                if p.tier is not tier or not rules_of(p, direction):
                    continue
                if p.subject_pods is not None:
                    ns_selector, pod_selector = p.subject_pods
                    if matches_namespace(ns_selector, probe, self.namespaces):
                        found.append((p, pod_selector))
                elif selects(p, probe, self.namespaces):
                    found.append((p, None))
            self._ns_cache[key] = found
        return found

    def direction(
        self,
        *,
        direction: Direction,
        subject: Pod,
        peer: Endpoint,
        destination: Endpoint,
        port: int,
        protocol: str,
    ) -> DirectionDecision:
        def np_tier() -> DirectionDecision:
            return super(TieredPredictor, self).direction(
                direction=direction,
                subject=subject,
                peer=peer,
                destination=destination,
                port=port,
                protocol=protocol,
            )

        if self.unreadable:
            np = np_tier()
            return DirectionDecision(
                direction,
                Decision.UNDEFINED,
                Code.TIERS_UNREADABLE,
                f"[Admin] unknown: cannot list {', '.join(self.unreadable)} (403), whose "
                f"objects may decide before NetworkPolicies{ARROW}{_np_step(np)}",
                np.policies,
            )
        admin = self.tier_policies(Tier.ADMIN, subject, direction)
        baseline = self.tier_policies(Tier.BASELINE, subject, direction)
        if not admin and not baseline:
            return np_tier()  # no admin tier applies: exactly the NetworkPolicy answer
        side = Side(direction, peer, destination, port, protocol.upper())
        chain: list[str] = []
        refs: list[RuleRef] = []
        decided = self._run_tier(Tier.ADMIN, admin, side, chain, refs)
        if decided is not None:
            # An Admin Accept or Deny is final: the NetworkPolicy tier is not consulted.
            return decided
        np = np_tier()
        if np.decision is not Decision.NOT_SELECTED:  # the NetworkPolicy tier is final
            chain.append(_np_step(np))
            return DirectionDecision(
                direction, np.decision, np.code, ARROW.join(chain), (*refs, *np.policies)
            )
        decided = self._run_tier(Tier.BASELINE, baseline, side, chain, refs)
        if decided is not None:
            return decided
        chain.append("[default] allowed (no tier decided)")
        return DirectionDecision(
            direction, Decision.ALLOWED, Code.NOT_ISOLATED, ARROW.join(chain), tuple(refs)
        )

    def _run_tier(
        self,
        tier: Tier,
        policies: Sequence[AdminPolicy],
        side: Side,
        chain: list[str],
        refs: list[RuleRef],
    ) -> DirectionDecision | None:
        """One tier; appends its step to `chain`. Returns the decision if it is final."""
        if not policies:
            return None
        result = _tier(policies, side, self.namespaces)
        refs += result.refs
        if result.undefined is not None:
            chain.append(f"[{tier.value}] undefined: {result.why}")
            return DirectionDecision(
                side.direction, Decision.UNDEFINED, result.undefined, ARROW.join(chain), tuple(refs)
            )
        chain.append(_step(tier, result))
        code = Code.ADMIN_TIER if tier is Tier.ADMIN else Code.BASELINE_TIER
        if result.action is Action.ACCEPT:
            return DirectionDecision(
                side.direction, Decision.ALLOWED, code, ARROW.join(chain), tuple(refs)
            )
        if result.action is Action.DENY:
            return DirectionDecision(
                side.direction, Decision.DENIED, code, ARROW.join(chain), tuple(refs)
            )
        return None
