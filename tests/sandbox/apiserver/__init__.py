"""The sandbox's Kubernetes API server (aiohttp)."""
