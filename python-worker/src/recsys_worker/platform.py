"""What the worker must agree on with the services (stream key, event weights, co-occurrence counts).

Read from ``platform.properties``, stated once in the contracts module (``contracts/src/main/resources/io/recsys/
contracts/platform.properties``); the package holds a link to it, and the Java side reads the same file.
"""

from __future__ import annotations

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

EVENT_LOG_STREAM: str = _VALUES["event-log.stream-key"]
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
