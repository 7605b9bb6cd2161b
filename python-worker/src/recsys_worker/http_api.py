"""Calls to the platform's HTTP endpoints (the gateway's JSON API, Actuator)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

API_KEY_ENV = "RECSYS_API_KEY"


def api_key() -> str | None:
    """The gateway's API key from RECSYS_API_KEY (the first one, when a Secret holds several comma-separated)."""
    keys = [k.strip() for k in os.environ.get(API_KEY_ENV, "").split(",") if k.strip()]
    return keys[0] if keys else None


def call(method: str, url: str, body=None, timeout: float = 30.0):
    """One JSON call: (status, headers, parsed body); HTTP errors are answers, not exceptions."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    key = api_key()
    if key:
        headers["X-Api-Key"] = key
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), json.loads(e.read() or b"null")
