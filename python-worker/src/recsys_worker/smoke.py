"""A deployed platform's smoke check (the Helm chart's `helm test`): every service answers its gRPC
health check as ready, and the gateway serves a recommendation to a caller with the API key.

The health check is sent as raw protobuf bytes, so the worker needs no generated gRPC code: a
HealthCheckRequest is field 1 (service, a string); a HealthCheckResponse is field 1 (status, an enum).
"""

from __future__ import annotations

import functools
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from . import http_api

HEALTH_CHECK = "/grpc.health.v1.Health/Check"
SERVING = 1
STATUS_NAMES = {0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"}


@dataclass(frozen=True)
class Outcome:
    target: str
    ok: bool
    detail: str


def health_request(service: str) -> bytes:
    name = service.encode()
    if len(name) > 127:
        raise ValueError("health service names longer than 127 bytes are not supported")
    return (b"\x0a" + bytes([len(name)]) + name) if name else b""


def serving_status(response: bytes) -> int:
    """The status field of a HealthCheckResponse (0 when absent, as protobuf defaults it)."""
    position = 0
    while position < len(response):
        tag, position = _varint(response, position)
        if tag == 0x08:
            value, _ = _varint(response, position)
            return value
        if tag & 0x07 == 0:
            _, position = _varint(response, position)
        elif tag & 0x07 == 2:
            length, position = _varint(response, position)
            position += length
        else:
            raise ValueError(f"unexpected wire type in a HealthCheckResponse: {tag & 0x07}")
    return 0


def _varint(data: bytes, position: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, position
        shift += 7


def check_grpc(address: str, service: str, timeout: float) -> Outcome:
    import grpc  # only this command needs gRPC

    with grpc.insecure_channel(address) as channel:
        check = channel.unary_unary(HEALTH_CHECK, request_serializer=None, response_deserializer=None)
        try:
            status = serving_status(check(health_request(service), timeout=timeout))
        except grpc.RpcError as e:
            return Outcome(address, False, f"{e.code().name}: {e.details()}")
    return Outcome(address, status == SERVING, STATUS_NAMES.get(status, str(status)))


def check_gateway(base_url: str, user: str, timeout: float) -> Outcome:
    url = f"{base_url.rstrip('/')}/api/v1/users/{urllib.parse.quote(user, safe='')}/recommendations?limit=5"
    try:
        status, _, body = http_api.call("GET", url, timeout=timeout)
    except OSError as e:
        return Outcome(base_url, False, str(e))
    if status != 200 or not isinstance(body, dict) or "items" not in body:
        return Outcome(base_url, False, f"HTTP {status}: {body}")
    return Outcome(
        base_url, True, f"{len(body['items'])} items at depth {body.get('depth')}, model {body.get('model_version')}"
    )


def run(
    grpc_targets: dict[str, str],
    gateway: str | None,
    health_service: str = "readiness",
    deadline_s: float = 120.0,
    call_timeout_s: float = 5.0,
    user: str = "helm-test",
    sleep=time.sleep,
    clock=time.monotonic,
) -> list[Outcome]:
    """Checks every target until it passes or the deadline passes; the last outcome of each."""
    give_up = clock() + deadline_s
    checks: dict[str, Callable[[], Outcome]] = {
        name: functools.partial(check_grpc, address, health_service, call_timeout_s)
        for name, address in grpc_targets.items()
    }
    if gateway:
        checks["gateway (HTTP)"] = lambda: check_gateway(gateway, user, call_timeout_s)
    outcomes: dict[str, Outcome] = {}
    while True:
        for name, check in checks.items():
            if name not in outcomes or not outcomes[name].ok:
                outcomes[name] = check()
        if all(o.ok for o in outcomes.values()) or clock() >= give_up:
            return [Outcome(f"{name} {o.target}", o.ok, o.detail) for name, o in outcomes.items()]
        sleep(2.0)
