import os
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from recsys_worker import runtime
from recsys_worker.interactions import build
from recsys_worker.platform import EVENT_WEIGHTS

DAY = 86400
REPOSITORY = Path(__file__).resolve().parents[2]


def synthetic_interactions(users=120, items=60, days=60, seed=3):
    """Shoppers in four taste groups buying mostly from their group's items, with a time trend:
    enough structure for the models to learn, small enough to train in seconds."""
    rng = np.random.default_rng(seed)
    groups = 4
    rows, start = [], 1_700_000_000
    for user in range(users):
        group = user % groups
        own = [i for i in range(items) if i % groups == group]
        for basket in range(int(rng.integers(3, 8))):
            ts = start + int(rng.integers(0, days * DAY))
            size = int(rng.integers(2, 6))
            picks = [int(rng.choice(own)) if rng.random() < 0.85 else int(rng.integers(0, items)) for _ in range(size)]
            for item in picks:
                rows.append((f"u{user:04d}", f"i{item:03d}", ts, f"b{basket}", EVENT_WEIGHTS["purchase"]))
    prices = {f"i{i:03d}": 1.0 + i % 7 for i in range(items)}
    return build(rows, prices, source="synthetic")


@pytest.fixture(scope="session")
def device():
    return runtime.configure(seed=7)


@pytest.fixture(scope="session")
def interactions():
    return synthetic_interactions()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_server_binary() -> str:
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is not installed (CI installs it: apt-get install redis-server)")
        pytest.skip("redis-server not installed")
    return binary


def _start_redis(binary, tmp_path, port, extra, client):
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return process
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)


@pytest.fixture
def redis_url(tmp_path):
    """A real redis-server started for the test; on CI a missing binary fails instead of skipping."""
    import redis

    port = _free_port()
    process = _start_redis(_redis_server_binary(), tmp_path, port, [], redis.Redis(port=port))
    yield f"redis://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


@pytest.fixture
def tls_redis(tmp_path):
    """A real redis-server that speaks only TLS and admits one ACL user: (host, port, user, password, CA file)."""
    import redis

    binary = _redis_server_binary()
    for command in (
        "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=recsys-test-ca",
        "req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost",
        "x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile san.ext",
    ):
        (tmp_path / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
        subprocess.run(["openssl", *command.split()], cwd=tmp_path, check=True, capture_output=True)
    port, user, password = _free_port(), "retrain", "s3cret-for-tests"
    ca = str(tmp_path / "ca.crt")
    tls = [
        "--port",
        "0",
        "--tls-port",
        str(port),
        "--tls-cert-file",
        str(tmp_path / "server.crt"),
        "--tls-key-file",
        str(tmp_path / "server.key"),
        "--tls-ca-cert-file",
        ca,
        "--tls-auth-clients",
        "no",
        "--user",
        user,
        "on",
        f">{password}",
        "~*",
        "+@all",
    ]
    client = redis.Redis(host="localhost", port=port, ssl=True, ssl_ca_certs=ca, username=user, password=password)
    # the first --port is overridden by the later "--port 0": TLS only
    process = _start_redis(binary, tmp_path, _free_port(), tls, client)
    yield "localhost", port, user, password, ca
    process.terminate()
    process.wait(10)


@pytest.fixture
def http_server():
    """Starts real HTTP servers on free ports: ``start(respond)`` answers each GET with ``respond(headers)``, a
    ``(status, content type, body bytes)`` triple, and returns the server's base URL."""
    servers = []

    def start(respond) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                status, content_type, payload = respond(self.headers)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
