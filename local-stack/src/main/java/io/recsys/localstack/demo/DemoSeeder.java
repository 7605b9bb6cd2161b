package io.recsys.localstack.demo;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.recsys.contracts.events.v1.Event;
import io.recsys.contracts.events.v1.IngestEventsRequest;
import io.recsys.contracts.events.v1.IngestEventsResponse;
import io.recsys.contracts.events.v1.IngestionServiceGrpc;
import io.recsys.contracts.events.v1.UpsertItemsRequest;
import io.recsys.contracts.events.v1.UpsertItemsResponse;
import io.recsys.contracts.features.v1.FeatureServiceGrpc;
import io.recsys.contracts.features.v1.GetFeaturesRequest;
import io.recsys.contracts.features.v1.Interaction;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Loads demo data the way a shop would: catalog and events through the ingestion-service's gRPC API, then waits until
 * the feature-service has applied the last event, so recommendations reflect it all.
 */
public final class DemoSeeder {

    private static final int BATCH = 1_000;

    private DemoSeeder() {}

    public record SeedReport(int items, int events, int duplicates, Duration took) {}

    public static SeedReport seed(
            DemoDataGenerator.DemoData data, int ingestionGrpcPort, int featureGrpcPort, Duration applyTimeout)
            throws InterruptedException {
        long started = System.nanoTime();
        ManagedChannel ingestionChannel = ManagedChannelBuilder.forAddress("127.0.0.1", ingestionGrpcPort)
                .usePlaintext()
                .build();
        ManagedChannel featureChannel = ManagedChannelBuilder.forAddress("127.0.0.1", featureGrpcPort)
                .usePlaintext()
                .build();
        try {
            IngestionServiceGrpc.IngestionServiceBlockingStub ingestion =
                    IngestionServiceGrpc.newBlockingStub(ingestionChannel);
            int items = 0;
            for (int from = 0; from < data.items().size(); from += BATCH) {
                UpsertItemsResponse response = ingestion
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .upsertItems(UpsertItemsRequest.newBuilder()
                                .addAllItems(data.items()
                                        .subList(
                                                from,
                                                Math.min(
                                                        from + BATCH,
                                                        data.items().size())))
                                .build());
                items += response.getUpserted();
                requireNoRejections(response.getRejected(), "items");
            }
            int accepted = 0;
            int duplicates = 0;
            for (int from = 0; from < data.events().size(); from += BATCH) {
                IngestEventsResponse response = ingestion
                        .withDeadlineAfter(30, TimeUnit.SECONDS)
                        .ingestEvents(IngestEventsRequest.newBuilder()
                                .addAllEvents(data.events()
                                        .subList(
                                                from,
                                                Math.min(
                                                        from + BATCH,
                                                        data.events().size())))
                                .build());
                accepted += response.getAccepted();
                duplicates += response.getDuplicates();
                requireNoRejections(response.getRejected(), "events");
            }
            awaitApplied(FeatureServiceGrpc.newBlockingStub(featureChannel), data.events(), applyTimeout);
            return new SeedReport(items, accepted, duplicates, Duration.ofNanos(System.nanoTime() - started));
        } finally {
            ingestionChannel.shutdownNow();
            featureChannel.shutdownNow();
        }
    }

    private static void requireNoRejections(int rejected, String what) {
        if (rejected > 0) {
            throw new IllegalStateException(
                    rejected + " demo " + what + " were rejected: the generator and the validation disagree");
        }
    }

    // the log is applied in order, so once the last event shows, every earlier one has been applied
    private static void awaitApplied(
            FeatureServiceGrpc.FeatureServiceBlockingStub features, List<Event> events, Duration timeout)
            throws InterruptedException {
        if (events.isEmpty()) {
            return;
        }
        Event last = events.getLast();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            List<Interaction> recent = features.withDeadlineAfter(5, TimeUnit.SECONDS)
                    .getFeatures(GetFeaturesRequest.newBuilder()
                            .setUserId(last.getUserId())
                            .setRecentLimit(1)
                            .build())
                    .getUser()
                    .getRecentList();
            if (!recent.isEmpty()
                    && recent.getFirst().getItemId().equals(last.getItemId())
                    && recent.getFirst().getOccurredAt().equals(last.getOccurredAt())) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the feature-service did not apply the demo events within " + timeout);
    }
}
