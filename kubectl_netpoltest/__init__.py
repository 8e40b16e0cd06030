"""kubectl-netpoltest: prove that NetworkPolicies do what their authors think."""

__version__ = "0.1.0"
