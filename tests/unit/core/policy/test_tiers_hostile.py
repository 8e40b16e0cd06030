"""Offline admin-tier manifests the API server would refuse: an ObjectError naming the field,
never a policy that silently predicts something else.

Found with `explain --policies`: `networks: [not-a-cidr]` and `networks: oops` (a string, read
as the CIDRs 'o', 'o', 'p', 's') loaded and matched nothing, so a Deny became an 'allowed'
prediction; a v1alpha2 range with start >= end (CEL `self.start < self.end`) loaded too.
"""

from __future__ import annotations

from typing import Any

import pytest

from kubectl_netpoltest.core.policy.admin_model import admin_policy
from kubectl_netpoltest.core.policy.parse import ObjectError


def cnp(egress: Any) -> dict[str, Any]:
    return {
        "kind": "ClusterNetworkPolicy",
        "metadata": {"name": "bad"},
        "spec": {"tier": "Admin", "priority": 1, "subject": {"namespaces": {}}, "egress": egress},
    }


@pytest.mark.parametrize(
    ("egress", "message"),
    [
        (
            [{"action": "Deny", "to": [{"networks": ["not-a-cidr"]}]}],
            "cnp/bad.spec.egress[0].to[0].networks[0]: 'not-a-cidr' is not a CIDR",
        ),
        (
            [{"action": "Deny", "to": [{"networks": "10.0.0.0/8"}]}],
            "cnp/bad.spec.egress[0].to[0].networks: '10.0.0.0/8' is not a list of CIDRs",
        ),
        (
            [{"action": "Deny", "to": [{"networks": ["10.0.0.0/8", "10.0.0.0/33"]}]}],
            "cnp/bad.spec.egress[0].to[0].networks[1]: '10.0.0.0/33' is not a CIDR",
        ),
        (
            [
                {
                    "action": "Deny",
                    "to": [{"namespaces": {}}],
                    "protocols": [
                        {"tcp": {"destinationPort": {"range": {"start": 90, "end": 80}}}}
                    ],
                }
            ],
            "cnp/bad.spec.egress[0].protocols[0]: the range 90-80 does not have start < end",
        ),
        (
            [
                {
                    "action": "Deny",
                    "to": [{"namespaces": {}}],
                    "protocols": [{"tcp": {"destinationPort": {"number": 70000}}}],
                }
            ],
            "cnp/bad.spec.egress[0].protocols[0]: port 70000 is out of range (expected 1-65535)",
        ),
        ([{"action": "Deny", "to": "oops"}], "cnp/bad.spec.egress[0].to: 'oops' is not a list"),
        (
            [{"action": "Deny", "to": ["oops"]}],
            "cnp/bad.spec.egress[0].to[0]: 'oops' is not an object",
        ),
        (
            [{"action": "Deny", "to": [{"namespaces": {}}], "protocols": "tcp"}],
            "cnp/bad.spec.egress[0].protocols: 'tcp' is not a list",
        ),
        ("oops", "cnp/bad.spec.egress: 'oops' is not a list"),
    ],
)
def test_what_the_api_refuses_is_an_object_error(egress: Any, message: str) -> None:
    with pytest.raises(ObjectError) as exc:
        admin_policy(cnp(egress))
    assert str(exc.value).startswith(message)


def test_valid_networks_and_ranges_load() -> None:
    policy = admin_policy(
        cnp(
            [
                {
                    "action": "Deny",
                    "to": [{"networks": ["10.0.0.1/8", "fd00::/8"]}],
                    "protocols": [
                        {"tcp": {"destinationPort": {"range": {"start": 80, "end": 90}}}}
                    ],
                },
            ]
        )
    )
    assert policy.egress[0].peers[0].cidrs == ("10.0.0.1/8", "fd00::/8")
