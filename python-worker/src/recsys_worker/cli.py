"""recsys-worker: train, evaluate, export and retrain the platform's models."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import sys
import time
from pathlib import Path

from . import bundle, evaluation, generate, parity, runtime, smoke_cli, sources, training
from .progress import Progress
from .ranker import RankerParams
from .retrieval import RetrievalParams


def _add_source(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("data (one source)")
    chosen = group.add_mutually_exclusive_group(required=True)
    chosen.add_argument("--online-retail", metavar="DIR", help="directory of the UCI Online Retail files")
    chosen.add_argument("--csv", metavar="PATH", help="a generic interactions CSV (.gz allowed)")
    chosen.add_argument("--redis-url", metavar="URL", help="read the platform's event log, e.g. redis://localhost:6379")
    chosen.add_argument(
        "--redis-url-env",
        metavar="NAME",
        help="as --redis-url, the URL read from this environment variable (keeps credentials off the command line)",
    )
    group.add_argument(
        "--redis-password-env",
        metavar="NAME",
        help="the Redis password from this environment variable (where the URL carries none)",
    )
    group.add_argument(
        "--redis-ca-file", metavar="PATH", help="the CA certificate a rediss:// server's certificate is checked against"
    )
    group.add_argument(
        "--partitions",
        type=int,
        default=sources.EVENT_LOG_PARTITIONS,
        help="the event log's partition count (with --redis-url; the platform's recsys.event-log.partitions)",
    )
    group.add_argument("--user-col", default="user_id")
    group.add_argument("--item-col", default="item_id")
    group.add_argument("--time-col", default="timestamp")
    group.add_argument("--time-format", default="epoch_s", choices=("epoch_s", "epoch_ms", "iso"))
    group.add_argument(
        "--basket-col", help="column grouping interactions (invoice, session); sessions of 30 min otherwise"
    )
    group.add_argument("--weight-col", help="column with the interaction's weight (1 otherwise)")
    group.add_argument("--price-col", help="column with the item's unit price")


def _add_training(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("training")
    defaults_r, defaults_k = RetrievalParams(), RankerParams()
    group.add_argument("--seed", type=int, default=7)
    group.add_argument("--threads", type=int, help="torch threads (default: all cores)")
    group.add_argument("--dimension", type=int, default=defaults_r.dimension)
    group.add_argument("--retrieval-epochs", type=int, default=defaults_r.epochs)
    group.add_argument("--ranker-epochs", type=int, default=defaults_k.epochs)
    group.add_argument(
        "--training-mix",
        default=",".join(map(str, defaults_k.training_mix)),
        help="candidates the ranker learns to order: embedding,co-occurrence,popular (wider than any depth's)",
    )
    group.add_argument(
        "--label-days",
        type=int,
        default=defaults_k.label_days,
        help="days at the end of the data the ranker learns from",
    )


def _add_bundle_target(parser: argparse.ArgumentParser, model_dir_help: str, required: bool) -> None:
    parser.add_argument("--model-dir", required=required, help=model_dir_help)
    parser.add_argument("--name", default="ranker")
    parser.add_argument("--version", help="bundle version (default: UTC timestamp)")


def _read(args) -> sources.Interactions:
    started = time.monotonic()
    if args.online_retail:
        data = sources.read_online_retail(args.online_retail)
    elif args.csv:
        data = sources.read_csv(
            args.csv,
            sources.CsvColumns(
                user=args.user_col,
                item=args.item_col,
                time=args.time_col,
                basket=args.basket_col,
                weight=args.weight_col,
                price=args.price_col,
                time_format=args.time_format,
            ),
        )
    else:
        url = args.redis_url or _environment(args.redis_url_env)
        password = _environment(args.redis_password_env) if args.redis_password_env else None
        data = sources.read_event_log(url, args.partitions, password=password, ca_file=args.redis_ca_file)
    d = data.describe()
    Progress.note(
        f"read {d['interactions']:,} interactions ({d['users']:,} users, {d['items']:,} items, "
        f"{d['baskets']:,} baskets) from {d['source']} in {time.monotonic() - started:.1f} s"
    )
    return data


def _environment(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"the environment variable {name} is not set")
    return value


def _params(args) -> training.TrainingParams:
    return training.TrainingParams(
        RetrievalParams(dimension=args.dimension, epochs=args.retrieval_epochs),
        RankerParams(epochs=args.ranker_epochs, training_mix=_mix(args.training_mix), label_days=args.label_days),
        seed=args.seed,
    )


def _mix(text: str) -> tuple[int, int, int]:
    counts = tuple(int(n) for n in text.split(","))
    if len(counts) != 3 or min(counts) < 0:
        raise ValueError(f"--training-mix wants three counts, embedding,co-occurrence,popular; not {text!r}")
    return counts[0], counts[1], counts[2]


def _report_path(given: str | None, kind: str) -> Path:
    out = Path(given or f"bench-results/{kind}-{time.strftime('%Y%m%d-%H%M%S')}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def cmd_train(args) -> int:
    device = runtime.configure(args.seed, args.threads)
    Progress.note(f"device: {runtime.describe(device)}")
    started = time.monotonic()
    data, params = _read(args), _params(args)
    tuning = None
    if args.tune:
        # settings chosen on the last --validation-days of this data, trained before them; then trained on all of it
        validation = evaluation.temporal_split(data, args.validation_days)
        choice = evaluation.choose(evaluation.families(params, device)["ours"], validation, args.seed, args.tune)
        params = evaluation.with_settings(params, choice.settings)
        tuning = {
            "validation_days": args.validation_days,
            "budget_seconds": args.tune,
            "chosen": choice.settings,
            "validation_ndcg@10": round(choice.validation_ndcg, 5),
            "tried": choice.tried,
            "skipped_for_time": choice.skipped,
            "seconds": choice.seconds,
        }
        Progress.note(
            f"chose {choice.settings or 'the given settings'} on validation (NDCG@10 {choice.validation_ndcg:.4f})"
        )
    models = training.train(data, params, device)
    models.save(args.checkpoint)
    summary = {
        "data": models.data,
        "device": runtime.describe(device),
        "training_seconds": models.report["seconds"],
        "seconds_with_reading": round(time.monotonic() - started, 1),
        "peak_rss_mb": _peak_rss_mb(),
        "validation": {k: v for k, v in models.report["ranker"].items() if k != "losses"},
        "parameters": models.params.as_dict(),
        "tuning": tuning,
    }
    out = _report_path(args.report, "training")
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(
        f"trained on {models.data['interactions']:,} interactions in {summary['training_seconds']} s "
        f"({summary['seconds_with_reading']} s with reading) on {summary['device']}, "
        f"peak RSS {summary['peak_rss_mb']} MB; "
        f"checkpoint {args.checkpoint}; {out}"
    )
    if args.model_dir:
        _publish(models, args)
    return 0


def _publish(models: training.TrainedModels, args) -> None:
    offline = None
    if getattr(args, "evaluation", None):
        # each model's test figures by its report name (the inference-service reports ours as its offline metrics)
        results = json.loads(Path(args.evaluation).read_text())["results"]
        offline = {name: result["test"] for name, result in results.items()}
    path = bundle.publish(models, args.model_dir, args.name, args.version, offline)
    print(path)


def cmd_export(args) -> int:
    runtime.configure(7)
    _publish(training.TrainedModels.load(args.checkpoint), args)
    return 0


def cmd_retrain(args) -> int:
    device = runtime.configure(args.seed, args.threads)
    models = training.train(_read(args), _params(args), device)
    _publish(models, args)
    return 0


def cmd_evaluate(args) -> int:
    device = runtime.configure(args.seed, args.threads)
    Progress.note(f"device: {runtime.describe(device)}")
    report = evaluation.run(
        _read(args),
        _params(args),
        device,
        args.test_days,
        tuple(args.models.split(",")),
        validation_days=args.validation_days,
        seeds=args.seeds,
        tuning_budget_seconds=args.tuning_budget,
    )
    report["device"] = runtime.describe(device)
    out = _report_path(args.out, "evaluation")
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(evaluation.table(report))
    print(f"peak RSS {report['peak_rss_mb']} MB; {out}")
    return 0


def cmd_replay(args) -> int:
    from . import replay

    device = runtime.configure(args.seed, args.threads)
    data = _read(args)
    models = training.TrainedModels.load(args.checkpoint) if args.checkpoint else None
    report = replay.run(
        data,
        models,
        _params(args),
        device,
        args.gateway,
        args.feature_service,
        args.inference_service,
        Path(args.model_dir),
        args.name,
        args.test_days,
    )
    out = _report_path(args.out, "quality-per-depth")
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(replay.table(report))
    print(out)
    return 0


def cmd_generate(args) -> int:
    shape = generate.ShopShape(**{f.name: getattr(args, f.name) for f in dataclasses.fields(generate.ShopShape)})
    rows = generate.write(shape, args.out, args.items_out)
    print(f"wrote {args.out}: {rows:,} interactions of {shape.users:,} shoppers and {shape.items:,} items")
    print(
        "read it with: --csv "
        + args.out
        + " --basket-col session_id --weight-col weight --price-col price (the other columns are the defaults)"
    )
    return 0


def cmd_verify(args) -> int:
    metadata = bundle.verify(args.bundle)
    print(f"{args.bundle}: {metadata['name']} {metadata['version']} is complete and consistent")
    return 0


def cmd_parity_golden(args) -> int:
    parity.write(Path(args.out))
    print(f"wrote {args.out}: the feature parity fixture the recommendation-service's FeatureParityTest replays")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="recsys-worker", description=__doc__)
    root.add_argument("--quiet", action="store_true", help="no progress lines")
    commands = root.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train retrieval and ranker; save a checkpoint (and publish a bundle)")
    _add_source(train)
    _add_training(train)
    train.add_argument("--checkpoint", default="model.pt")
    train.add_argument(
        "--tune",
        type=float,
        metavar="SECONDS",
        help="first choose settings on a validation window at the end of the data, within this many seconds",
    )
    train.add_argument("--validation-days", type=int, default=30, help="the validation window for --tune")
    _add_bundle_target(train, "also publish a bundle here", required=False)
    train.add_argument("--report", help="JSON summary (default: bench-results/training-<time>.json)")
    train.set_defaults(run=cmd_train)

    export = commands.add_parser("export", help="publish a checkpoint as a model bundle, atomically")
    export.add_argument("--checkpoint", default="model.pt")
    _add_bundle_target(export, "publish the bundle here", required=True)
    export.add_argument("--evaluation", help="an evaluate report whose results go into the metadata")
    export.set_defaults(run=cmd_export)

    retrain = commands.add_parser("retrain", help="train on a source and publish a new bundle in one step")
    _add_source(retrain)
    _add_training(retrain)
    _add_bundle_target(retrain, "publish the bundle here", required=True)
    retrain.set_defaults(run=cmd_retrain)

    evaluate = commands.add_parser("evaluate", help="temporal split; baselines and our models side by side")
    _add_source(evaluate)
    _add_training(evaluate)
    evaluate.add_argument("--test-days", type=int, default=30)
    evaluate.add_argument("--models", default=",".join(evaluation.MODELS), help="comma-separated, of: %(default)s")
    evaluate.add_argument(
        "--validation-days",
        type=int,
        help="the window before the test window that settings are chosen on (default: --test-days)",
    )
    evaluate.add_argument(
        "--seeds", type=int, default=evaluation.SEEDS, help="seeds per model whose training is random (%(default)s)"
    )
    evaluate.add_argument(
        "--tuning-budget",
        type=float,
        default=evaluation.TUNING_BUDGET_SECONDS,
        help="seconds for choosing settings, shared by the models (each tries at least one; %(default)s)",
    )
    evaluate.add_argument("--out", help="JSON report (default: bench-results/evaluation-<time>.json)")
    evaluate.set_defaults(run=cmd_evaluate)

    replay = commands.add_parser(
        "replay", help="quality per prediction depth: the evaluation split replayed through a running platform"
    )
    _add_source(replay)
    _add_training(replay)
    replay.add_argument(
        "--checkpoint", help="a model trained on the same split's training part (default: train one now)"
    )
    replay.add_argument("--gateway", default="http://localhost:8080")
    replay.add_argument("--feature-service", default="http://localhost:8082")
    replay.add_argument("--inference-service", default="http://localhost:8083")
    replay.add_argument("--model-dir", default="models", help="the inference-service's model directory")
    replay.add_argument("--name", default="demo", help="the bundle name the inference-service serves")
    replay.add_argument("--test-days", type=int, default=30)
    replay.add_argument("--out", help="JSON report (default: bench-results/quality-per-depth-<time>.json)")
    replay.set_defaults(run=cmd_replay)

    smoke_cli.add_arguments(
        commands.add_parser(
            "smoke", help="a deployed platform answers: gRPC health of each service, one recommendation"
        )
    )

    shop = commands.add_parser(
        "generate", help="write a seeded interaction log shaped like a real shop's, at any size (CSV, .gz allowed)"
    )
    shop.add_argument("--out", required=True, help="the interactions CSV to write")
    shop.add_argument("--items-out", help="also write the catalogue (item_id, category, price)")
    for field in dataclasses.fields(generate.ShopShape):
        default = field.default
        shop.add_argument(
            "--" + field.name.replace("_", "-"), type=type(default), default=default, help=f"(default {default})"
        )
    shop.set_defaults(run=cmd_generate)

    verify = commands.add_parser("verify", help="check a bundle directory: schema, checksums, shapes")
    verify.add_argument("bundle")
    verify.set_defaults(run=cmd_verify)

    golden = commands.add_parser(
        "parity-golden", help="write the fixed event history and the ranker inputs computed from it (Java parity test)"
    )
    golden.add_argument(
        "--out", default=str(parity.GOLDEN_PATH), help="where (default: the test's copy, from the root)"
    )
    golden.set_defaults(run=cmd_parity_golden)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    Progress.quiet = args.quiet
    try:
        return args.run(args)
    except (bundle.BundleError, ValueError, FileNotFoundError, RuntimeError) as e:
        print(f"recsys-worker: {e}", file=sys.stderr)
        return 2
