"""Admin tiers for `explain` and `execute`: read them, build the tier-aware predictor, say
which tiers were considered.

Live: cluster/adminreads.py discovers which of ClusterNetworkPolicy (v1alpha2) and
Admin/BaselineAdminNetworkPolicy (v1alpha1) are served and lists them. Offline: the same
kinds found among the manifest documents. Either way the result is the predictor to use
(`TieredPredictor`, which answers exactly like `Predictor` when no admin policy applies) and
one line for the user, e.g. `admin tiers considered: ClusterNetworkPolicy
policy.networking.k8s.io/v1alpha2: 3 object(s); ...`, so a reader knows which tiers the
prediction took into account.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubectl_netpoltest.cluster.adminreads import AdminTierReader, AdminTiers
from kubectl_netpoltest.core.policy.admin_manifests import is_admin_tier
from kubectl_netpoltest.core.policy.admin_model import SHORT_NAMES, AdminPolicy, admin_policy
from kubectl_netpoltest.core.policy.matching import Assumptions
from kubectl_netpoltest.core.policy.objects import Snapshot
from kubectl_netpoltest.core.policy.parse import ObjectError
from kubectl_netpoltest.core.policy.tiers import TieredPredictor
from kubectl_netpoltest.errors import ClusterError


@dataclass(frozen=True)
class Tiers:
    policies: tuple[AdminPolicy, ...] = ()
    unreadable: tuple[str, ...] = ()
    considered: str = "admin tiers: not read"

    def predictor(
        self, snapshot: Snapshot, *, assumptions: Assumptions | None = None
    ) -> TieredPredictor:
        return TieredPredictor(
            snapshot, self.policies, assumptions=assumptions, unreadable=self.unreadable
        )


def _parse(objects: Iterable[Mapping[str, Any]]) -> tuple[AdminPolicy, ...]:
    return tuple(admin_policy(o) for o in objects)


def from_live(tiers: AdminTiers, *, warn: Callable[[str], None]) -> Tiers:
    unreadable = tuple(s.qualified for s in tiers.served if not s.readable)
    if unreadable:
        warn(
            f"cannot list {', '.join(unreadable)}: predictions are undefined "
            "(tiers-unreadable); grant list on them (kubectl netpoltest rbac --cluster-wide)"
        )
    try:
        policies = _parse(tiers.objects)
    except ObjectError as exc:
        raise ClusterError(
            f"the cluster returned an admin policy the evaluator cannot read: {exc}"
        ) from None
    return Tiers(policies, unreadable, tiers.describe())


def read_live(reader: AdminTierReader, *, warn: Callable[[str], None]) -> Tiers:
    """One discovery request per understood version, one list per served kind."""
    return from_live(reader.read(), warn=warn)


def from_documents(documents: Sequence[Mapping[str, Any]]) -> Tiers:
    """Offline (`--policies`): the admin kinds among the manifest documents."""
    policies = _parse(d for d in documents if is_admin_tier(d))
    counts = {kind: sum(1 for p in policies if p.kind == kind) for kind in SHORT_NAMES}
    shown = "; ".join(f"{kind}: {n} object(s)" for kind, n in counts.items() if n)
    return Tiers(policies, (), f"admin tiers considered (manifests): {shown or 'none'}")
