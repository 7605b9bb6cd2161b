"""The `smoke` command: its arguments and its run, apart from the training commands, so that `helm test`'s pod
imports neither torch nor numpy (see entry.py)."""

from __future__ import annotations

import argparse

from . import smoke


def add_arguments(check: argparse.ArgumentParser) -> None:
    check.add_argument(
        "--grpc", action="append", default=[], metavar="NAME=HOST:PORT", help="a service's gRPC address (repeatable)"
    )
    check.add_argument("--health-service", default="readiness", help="the gRPC health service name to ask for")
    check.add_argument("--gateway", help="the gateway's base URL; the API key comes from RECSYS_API_KEY")
    check.add_argument("--timeout", type=float, default=120.0, help="seconds to keep retrying before failing")
    check.set_defaults(run=run)


def run(args) -> int:
    targets = {}
    for spec in args.grpc:
        name, separator, address = spec.partition("=")
        if not separator or not address:
            raise ValueError(f"--grpc wants NAME=HOST:PORT, not {spec!r}")
        targets[name] = address
    if not targets and not args.gateway:
        raise ValueError("nothing to check: give --grpc and/or --gateway")
    outcomes = smoke.run(targets, args.gateway, health_service=args.health_service, deadline_s=args.timeout)
    for outcome in outcomes:
        print(f"{'ok  ' if outcome.ok else 'FAIL'} {outcome.target}: {outcome.detail}")
    return 0 if all(o.ok for o in outcomes) else 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="recsys-worker smoke",
        description="a deployed platform answers: gRPC health of each service, one recommendation",
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except ValueError as e:
        print(f"recsys-worker: {e}")
        return 2
