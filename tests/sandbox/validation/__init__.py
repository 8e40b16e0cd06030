"""kube-apiserver's validation, ported rule by rule (each function names the Go function it
copies), so the sandbox refuses what a real cluster refuses with the same Status.

Entry points: `decode.check_types` (the 400 a Go JSON decoder gives for a wrong type) and
`objects.validate` (the 422 of the registry strategy's Validate/ValidateUpdate).
"""

from tests.sandbox.validation.decode import check_types
from tests.sandbox.validation.objects import validate

__all__ = ["check_types", "validate"]
