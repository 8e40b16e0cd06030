"""A sandbox Kubernetes cluster: a real-enough API server over a real Linux data plane.

It is an independent referee for the product's end-to-end tests, so nothing here imports
``kubectl_netpoltest``. See CONTRACT.md for the split between control plane and ``network/``.
"""
