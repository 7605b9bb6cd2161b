"""The smoke check against a real gRPC server (grpcio, raw health messages) and a real HTTP server."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent import futures

import grpc
import pytest

from recsys_worker import cli, entry, smoke


def test_health_messages_round_trip_by_hand():
    assert smoke.health_request("") == b""
    assert smoke.health_request("readiness") == b"\x0a\x09readiness"
    assert smoke.serving_status(b"\x08\x01") == smoke.SERVING
    assert smoke.serving_status(b"") == 0
    # an unknown length-delimited field before the status is skipped
    assert smoke.serving_status(b"\x12\x02ab\x08\x02") == 2


class HealthServer:
    """Answers Health/Check like Spring gRPC: SERVING for the services it knows, NOT_FOUND for others."""

    def __init__(self, statuses: dict[str, int]):
        self.statuses = statuses
        handler = grpc.method_handlers_generic_handler(
            "grpc.health.v1.Health", {"Check": grpc.unary_unary_rpc_method_handler(self.check)}
        )
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        self.server.add_generic_rpc_handlers((handler,))
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()

    def check(self, request: bytes, context):
        service = request[2:].decode() if request else ""
        if service not in self.statuses:
            context.abort(grpc.StatusCode.NOT_FOUND, f"unknown service {service}")
        return b"\x08" + bytes([self.statuses[service]])


@pytest.fixture
def gateway(http_server):
    seen = {}

    def respond(headers):
        seen["key"] = headers.get("X-Api-Key")
        ok = seen["key"] == "key-one-0123456789abcdef"
        body = (
            {"user_id": "helm-test", "items": [{"item_id": "a"}], "depth": "full", "model_version": "v1"}
            if ok
            else {"status": 401, "error": "unauthenticated"}
        )
        return (200 if ok else 401), "application/json", json.dumps(body).encode()

    return http_server(respond), seen


def test_a_ready_platform_passes(monkeypatch, gateway, capsys):
    url, seen = gateway
    health = HealthServer({"readiness": smoke.SERVING})
    monkeypatch.setenv("RECSYS_API_KEY", "key-one-0123456789abcdef,key-two-0123456789abcdef")
    try:
        code = entry.main(
            ["smoke", "--grpc", f"feature-service=127.0.0.1:{health.port}", "--gateway", url, "--timeout", "5"]
        )
    finally:
        health.server.stop(None)
    assert code == 0
    assert seen["key"] == "key-one-0123456789abcdef"
    assert "1 items at depth full" in capsys.readouterr().out


def test_a_service_not_ready_or_a_wrong_key_fails(monkeypatch, gateway, capsys):
    url, _ = gateway
    health = HealthServer({"readiness": 2})
    monkeypatch.setenv("RECSYS_API_KEY", "wrong-key-0123456789abcdef")
    try:
        outcomes = smoke.run(
            {"inference-service": f"127.0.0.1:{health.port}", "gone": "127.0.0.1:1"},
            url,
            deadline_s=0,
            call_timeout_s=2,
        )
    finally:
        health.server.stop(None)
    details = {o.target.split()[0]: (o.ok, o.detail) for o in outcomes}
    assert details["inference-service"] == (False, "NOT_SERVING")
    assert details["gone"][0] is False and details["gone"][1].startswith("UNAVAILABLE")
    assert details["gateway"][0] is False and "HTTP 401" in details["gateway"][1]


def test_checks_are_retried_until_they_pass():
    health = HealthServer({})
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        health.statuses["readiness"] = smoke.SERVING  # the service becomes ready while the check waits

    try:
        outcomes = smoke.run(
            {"gateway": f"127.0.0.1:{health.port}"}, None, deadline_s=60, call_timeout_s=2, sleep=sleep
        )
    finally:
        health.server.stop(None)
    assert [o.ok for o in outcomes] == [True]
    assert sleeps == [2.0]


def test_the_smoke_command_imports_no_training_library():
    # helm test runs it under a 256 Mi limit; torch alone is about 240 MB resident
    probe = (
        "import sys; from recsys_worker import entry; "
        "code = entry.main(['smoke', '--gateway', 'http://127.0.0.1:9', '--timeout', '0.2']); "
        "print(code, sorted(m for m in ('torch', 'numpy', 'onnx') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)

    assert done.stdout.strip().splitlines()[-1] == "1 []"


def test_the_full_command_line_still_knows_smoke():
    args = cli.parser().parse_args(["smoke", "--gateway", "http://gateway:8080"])

    assert args.gateway == "http://gateway:8080" and args.timeout == 120.0
