"""What the worker must agree on with the services (event log layout, event weights, co-occurrence counts).

Read from ``platform.properties``, stated once in the contracts module (``contracts/src/main/resources/io/recsys/
contracts/platform.properties``); the package holds a link to it, and the Java side reads the same file.
"""

from __future__ import annotations

import binascii
from importlib import resources


def _read() -> dict[str, str]:
    values: dict[str, str] = {}
    text = resources.files(__package__).joinpath("platform.properties").read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "!")):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


_VALUES = _read()
_WEIGHT = "event-weight."

EVENT_LOG_PARTITIONS: int = int(_VALUES["event-log.partitions"])
COOCCURRENCE_RECENT_ITEMS: int = int(_VALUES["cooccurrence.recent-items"])
NEIGHBOURS_KEPT: int = int(_VALUES["cooccurrence.neighbours-kept"])
COOCCURRENCE_LOOK_BACK_EVENTS: int = int(_VALUES["cooccurrence.look-back-events"])
# the recent list the models read: distinct item ids of the user's last this-many events, newest first
RECENT_LIST_EVENTS: int = int(_VALUES["recent-list.events"])
# candidates asked of (embedding retrieval, co-occurrence, popular) at each depth; trending adds a fifth of popular
DEPTH_CANDIDATES: dict[str, tuple[int, int, int]] = {
    level: tuple(int(n) for n in _VALUES[f"depth.{level}"].split(","))  # type: ignore[misc]
    for level in ("full", "reduced", "minimal")
}
# time constants (seconds) of the feature-service's decayed popularity windows
POPULARITY_WINDOW_SECONDS: dict[str, float] = {
    name: int(_VALUES[f"popularity-window.{name}-millis"]) / 1000.0 for name in ("last-hour", "last-day", "last-week")
}
# items in the recommendation-service's cached popular list (its trending list keeps a fifth as many)
CACHED_POPULAR: int = int(_VALUES["depth.cached-popular"])
# the MINIMAL level's hand-set weights by signal name (cheap_scores.py)
CHEAP_SCORES_HAND_SET: dict[str, float] = {
    k[len("cheap-scores.hand-set.") :]: float(v) for k, v in _VALUES.items() if k.startswith("cheap-scores.hand-set.")
}
# by event type name, "custom" included: the weight of any type not listed
EVENT_WEIGHTS: dict[str, float] = {k[len(_WEIGHT) :]: float(v) for k, v in _VALUES.items() if k.startswith(_WEIGHT)}


# Redis Cluster's number of hash slots
_SLOTS = 16384


def slot(tag: str) -> int:
    """Redis Cluster's slot of a hash tag: CRC-16/XMODEM of its bytes, modulo 16,384."""
    return binascii.crc_hqx(tag.encode("utf-8"), 0) % _SLOTS


def partition_tag(partition: int, partitions: int = EVENT_LOG_PARTITIONS) -> str:
    """The hash tag of an event log partition, as contracts' EventLogPartitions chooses it: "p{i}-{s}", s the smallest
    suffix whose slot lies in the partition's share of the slots."""
    low, high = partition * _SLOTS // partitions, (partition + 1) * _SLOTS // partitions
    suffix = 0
    while not low <= slot(f"p{partition}-{suffix}") < high:
        suffix += 1
    return f"p{partition}-{suffix}"


def event_log_streams(partitions: int = EVENT_LOG_PARTITIONS) -> list[str]:
    """The Redis Streams of the event log's partitions (docs/event-log.md)."""
    return ["recsys:{" + partition_tag(p, partitions) + "}:log" for p in range(partitions)]
