"""`kubectl netpoltest version`: what is installed, for bug reports and scripts."""

from __future__ import annotations

import json
import platform
import sys

from kubectl_netpoltest import __version__
from kubectl_netpoltest.cli.environment import ENV
from kubectl_netpoltest.cli.outputs import Output, OutputFlag


def version(output: OutputFlag = Output.TABLE) -> None:
    """Print the plugin's version (with -o json: also Python and platform).

    Like `kubectl version --client`, it contacts no cluster.
    """
    data = {
        "version": __version__,
        "python": platform.python_version(),
        "platform": f"{sys.platform}/{platform.machine().lower()}",
        "frozen": bool(getattr(sys, "frozen", False)),
    }
    if output is Output.TABLE or output is Output.WIDE:
        ENV.stdout.write(f"kubectl-netpoltest {__version__}\n")
        return
    if output is Output.JSON:
        ENV.stdout.write(json.dumps(data, indent=2) + "\n")
        return
    import yaml

    ENV.stdout.write(yaml.safe_dump(data, sort_keys=False))
