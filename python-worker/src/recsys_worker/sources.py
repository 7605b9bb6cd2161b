"""Readers that turn a generic CSV, the Online Retail dataset or the platform's event log into Interactions."""

from __future__ import annotations

import csv
import gzip
import io
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .interactions import Interactions, build, sessions
from .platform import EVENT_LOG_PARTITIONS, EVENT_WEIGHTS, event_log_streams
from .progress import Progress


@dataclass(frozen=True)
class CsvColumns:
    """Which columns of a CSV hold what; only user, item and time are required."""

    user: str = "user_id"
    item: str = "item_id"
    time: str = "timestamp"
    basket: str | None = None
    weight: str | None = None
    price: str | None = None
    # epoch_s, epoch_ms or iso (ISO 8601; read as UTC when it carries no offset)
    time_format: str = "epoch_s"


def _open_text(path: Path) -> io.TextIOWrapper:
    # the caller closes the wrapper, and with it the raw file
    raw = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")  # noqa: SIM115
    return io.TextIOWrapper(raw, encoding="utf-8", newline="")


def _epoch_seconds(value: str, time_format: str) -> int:
    if time_format == "epoch_s":
        return int(float(value))
    if time_format == "epoch_ms":
        return int(float(value)) // 1000
    if time_format == "iso":
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return int(parsed.timestamp())
    raise ValueError(f"unknown time format {time_format!r}: use epoch_s, epoch_ms or iso")


def read_csv(path: str | Path, columns: CsvColumns = CsvColumns(), source: str | None = None) -> Interactions:
    """A generic interactions CSV (``.gz`` allowed). Rows without user or item are skipped and counted."""
    path = Path(path)
    rows, unbasketed, prices = [], [], defaultdict(list)
    skipped = 0
    with _open_text(path) as handle:
        reader = csv.DictReader(handle)
        missing = [
            c
            for c in (columns.user, columns.item, columns.time, columns.basket, columns.weight, columns.price)
            if c and c not in (reader.fieldnames or [])
        ]
        if missing:
            raise ValueError(f"{path}: no column {', '.join(missing)} (columns: {', '.join(reader.fieldnames or [])})")
        for row in reader:
            user, item = row[columns.user].strip(), row[columns.item].strip()
            if not user or not item:
                skipped += 1
                continue
            ts = _epoch_seconds(row[columns.time], columns.time_format)
            weight = float(row[columns.weight]) if columns.weight and row[columns.weight] else 1.0
            if columns.price and row[columns.price]:
                prices[item].append(float(row[columns.price]))
            if columns.basket:
                rows.append((user, item, ts, row[columns.basket] or f"t{ts}", weight))
            else:
                unbasketed.append((user, item, ts, weight))
    if unbasketed:
        rows.extend(sessions(unbasketed))
    if skipped:
        Progress.note(f"{path.name}: skipped {skipped} rows without user or item")
    median_prices = {item: statistics.median(values) for item, values in prices.items()}
    return build(rows, median_prices, source=source or f"csv:{path.name}")


def read_online_retail(directory: str | Path) -> Interactions:
    """UCI Online Retail: purchases (one invoice = one basket) and each product's median unit price."""
    directory = Path(directory)
    purchases = _first_existing(directory, "interactions_purchases.csv.gz", "interactions_purchases.csv")
    assert purchases is not None  # required files raise instead
    rows = []
    with _open_text(purchases) as handle:
        for row in csv.DictReader(handle):
            rows.append(
                (row["user_id"], row["item_id"], int(row["timestamp"]), row["invoice_no"], EVENT_WEIGHTS["purchase"])
            )
    prices: dict[str, list[float]] = defaultdict(list)
    full = _first_existing(directory, "online_retail.csv.gz", "online_retail.csv", required=False)
    if full is not None:
        with _open_text(full) as handle:
            for row in csv.DictReader(handle):
                if row["InvoiceNo"].startswith("C") or not row["UnitPrice"]:
                    continue
                price = float(row["UnitPrice"])
                if price > 0:
                    prices[row["StockCode"]].append(price)
    return build(rows, {item: statistics.median(v) for item, v in prices.items()}, source="online-retail")


def _first_existing(directory: Path, *names: str, required: bool = True) -> Path | None:
    for name in names:
        if (directory / name).is_file():
            return directory / name
    if required:
        raise FileNotFoundError(f"{directory}: none of {', '.join(names)}; see python-worker/README.md for the dataset")
    return None


def _unescape(value: str) -> str:
    if "\\" not in value:
        return value
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            i += 1
            c = {"t": "\t", "n": "\n"}.get(value[i], value[i])
        out.append(c)
        i += 1
    return "".join(out)


def event_records(data: str) -> list[dict[str, str]]:
    """The events of one log entry's ``data`` field: a line per event of tab-separated ``name=value`` pairs, values
    with backslash, tab and newline escaped (contracts' EventLogCodec.record)."""
    records = []
    for line in data.split("\n") if data else []:
        fields = {}
        for pair in line.split("\t"):
            name, _, value = pair.partition("=")
            fields[name] = _unescape(value)
        records.append(fields)
    return records


def read_event_log(
    redis_url: str,
    partitions: int = EVENT_LOG_PARTITIONS,
    chunk: int = 1_000,
    client=None,
    password: str | None = None,
    ca_file: str | None = None,
) -> Interactions:
    """The platform's event log: every partition's Redis Stream (docs/event-log.md).

    Reads with XRANGE in chunks and changes nothing: the feature-service's positions are not touched. Entries of
    unknown kind or schema version are skipped and counted. The URL may name an ACL user and password
    (``redis://user:password@host``) and TLS (``rediss://``, checked against ``ca_file``); ``password`` serves
    where the URL carries none.
    """
    if client is None:
        import redis  # only this source needs it

        options: dict = {"decode_responses": True}
        if password is not None:
            options["password"] = password
        if ca_file is not None:
            options["ssl_ca_certs"] = ca_file
        client = redis.Redis.from_url(redis_url, **options)
    streams = event_log_streams(partitions)
    rows, prices, skipped = [], {}, 0
    progress = Progress("reading event log", total=sum(client.xlen(s) for s in streams), unit="entries")
    for stream in streams:
        start = "-"
        while True:
            entries = client.xrange(stream, min=start, max="+", count=chunk)
            if not entries:
                break
            for _entry_id, fields in entries:
                kind, version = fields.get("kind"), fields.get("v")
                if version != "1" or kind not in ("events", "item"):
                    skipped += 1
                elif kind == "item":
                    if fields.get("price"):
                        prices[fields["item"]] = float(fields["price"])
                else:
                    for event in event_records(fields.get("data", "")):
                        event_type = event.get("type", "custom")
                        rows.append(
                            (
                                event["user"],
                                event["item"],
                                int(event["ts"]) // 1000,
                                event.get("session") or None,
                                EVENT_WEIGHTS.get(event_type, EVENT_WEIGHTS["custom"]),
                            )
                        )
            progress.advance(len(entries))
            start = "(" + entries[-1][0]
    progress.done()
    if skipped:
        Progress.note(f"event log: skipped {skipped} entries of unknown kind or version")
    with_session: list[tuple[str, str, int, str, float]] = [(u, i, t, s, w) for u, i, t, s, w in rows if s is not None]
    without = [(u, i, t, w) for u, i, t, s, w in rows if s is None]
    return build(with_session + sessions(without), prices, source=f"event-log:{partitions} partitions")
