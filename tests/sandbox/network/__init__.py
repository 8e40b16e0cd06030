"""The sandbox cluster's data plane: netns, routing, servers, DNS, NetworkPolicy, Services.

See network.py for the topology and tests/sandbox/CONTRACT.md for the API.
"""

from .model import ContainerPort, ExternalHost
from .network import Network

__all__ = ["ContainerPort", "ExternalHost", "Network"]
