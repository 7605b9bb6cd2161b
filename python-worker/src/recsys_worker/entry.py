"""The console entry point. `smoke` (the Helm chart's `helm test`) is dispatched before the full command line
is built, because building it imports torch, numpy and onnx (about 230 MB resident, against about 37 MB for
the smoke path): the smoke pod's limit is 128 Mi. Every other command gets the full CLI."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["smoke"]:
        from . import smoke_cli

        return smoke_cli.main(arguments[1:])
    from . import cli

    return cli.main(arguments)
