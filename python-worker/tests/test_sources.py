import gzip

import numpy as np
import pytest
import redis

from recsys_worker import cli, platform, sources


def test_a_generic_csv_is_read_through_a_column_mapping(tmp_path):
    path = tmp_path / "clicks.csv.gz"
    with gzip.open(path, "wt") as f:
        f.write("customer,product,when,cost\n")
        f.write("c1,p1,2024-03-01T10:00:00Z,2.5\n")
        f.write("c1,p2,2024-03-01T10:10:00,3.5\n")  # no offset: read as UTC
        f.write("c1,p3,2024-03-01T12:00:00+00:00,\n")  # more than 30 min later: a new session
        f.write(",p9,2024-03-01T12:00:00Z,1\n")  # no user: skipped
    data = sources.read_csv(
        path, sources.CsvColumns(user="customer", item="product", time="when", price="cost", time_format="iso")
    )

    assert len(data) == 3
    assert data.item_ids == ["p1", "p2", "p3"]
    assert data.timestamps.tolist() == [1709287200, 1709287800, 1709294400]
    assert data.baskets[0] == data.baskets[1] != data.baskets[2]
    assert data.item_prices[0] == 2.5 and np.isnan(data.item_prices[2])


def test_the_platforms_event_log_is_read_from_redis(redis_url):
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    streams = platform.event_log_streams(2)
    # entries exactly as the ingestion-service writes them (docs/event-log.md): a catalog upsert, and one entry per
    # partition of an ingestion batch with a line per event
    client.xadd(
        streams[0],
        {
            "kind": "item",
            "v": "1",
            "item": "sku-1",
            "title": "Mug",
            "price": "4.5",
            "ts": "1700000000000",
            "ingested": "1700000000000",
        },
    )
    client.xadd(
        streams[1],
        {
            "kind": "events",
            "v": "1",
            "n": "2",
            "ingested": "1700000060000",
            "data": "id=e1\tuser=u1\titem=sku-1\ttype=view\tts=1700000001000\n"
            "id=e2\tuser=u1\titem=sku-2\ttype=purchase\tqty=2\tts=1700000060000\tsession=s-9\tpage=a\\tb",
        },
    )
    client.xadd(
        streams[0],
        {"kind": "events", "v": "2", "n": "1", "data": "id=e3\tuser=u2\titem=sku-3\ttype=view\tts=1700000061000"},
    )
    data = sources.read_event_log(redis_url, partitions=2, chunk=1)

    assert len(data) == 2  # the entry of an unknown schema version is skipped
    assert data.user_ids == ["u1"] and data.item_ids == ["sku-1", "sku-2"]
    assert data.weights.tolist() == [1.0, 8.0]
    assert data.timestamps.tolist() == [1700000001, 1700000060]
    assert data.item_prices[0] == 4.5
    assert sources.event_records("id=e\tpage=a\\tb\\\\c\\nd")[0]["page"] == "a\tb\\c\nd"


def test_the_event_log_is_read_over_tls_as_an_acl_user_with_the_password_from_the_environment(tls_redis, monkeypatch):
    host, port, user, password, ca = tls_redis
    writer = redis.Redis(
        host=host, port=port, ssl=True, ssl_ca_certs=ca, username=user, password=password, decode_responses=True
    )
    writer.xadd(
        platform.event_log_streams(1)[0],
        {"kind": "events", "v": "1", "n": "1", "data": "id=e1\tuser=u1\titem=sku-1\ttype=view\tts=1700000001000"},
    )
    monkeypatch.setenv("REDIS_URL", f"rediss://{user}@{host}:{port}")
    monkeypatch.setenv("REDIS_PASSWORD", password)
    options = ["--redis-url-env", "REDIS_URL", "--redis-password-env", "REDIS_PASSWORD", "--redis-ca-file", ca]
    args = cli.parser().parse_args(["evaluate", *options, "--partitions", "1"])

    data = cli._read(args)

    assert data.user_ids == ["u1"] and data.item_ids == ["sku-1"]
    with pytest.raises(redis.RedisError, match="invalid username-password"):
        sources.read_event_log(f"rediss://{user}:wrong@{host}:{port}", partitions=1, ca_file=ca)


def test_partition_tags_are_the_services():
    # the same list as contracts' EventLogPartitionsTest: both sides compute the same keys
    assert [platform.partition_tag(p, 8) for p in range(8)] == [
        "p0-0",
        "p1-43",
        "p2-43",
        "p3-0",
        "p4-42",
        "p5-0",
        "p6-0",
        "p7-42",
    ]
    assert platform.slot("123456789") == 0x31C3


def test_the_replay_sends_the_training_purchases_shifted_and_in_order():
    from recsys_worker import replay
    from recsys_worker.interactions import build

    data = build(
        [("u1", "i1", 1_000, "b1", 8.0), ("u2", "i2", 2_000, "b2", 8.0), ("u1", "i2", 3_000, "b3", 8.0)],
        {"i1": 2.5},
        source="toy",
    )
    batches = list(replay.event_batches(data, shift_seconds=86_400, size=2))

    assert [len(b) for b in batches] == [2, 1]
    first = batches[0][0]
    assert first == {
        "event_id": "replay-0",
        "user_id": "u1",
        "item_id": "i1",
        "type": "purchase",
        "occurred_at": "1970-01-02T00:16:40Z",
        "context": {"session_id": "basket-0"},
    }
    assert [e["item_id"] for b in batches for e in b] == ["i1", "i2", "i2"]
    assert list(replay.catalogue_batches(data)) == [[{"item_id": "i1", "price": 2.5}, {"item_id": "i2"}]]
