package io.recsys.ingestion.grpc;

import io.grpc.stub.StreamObserver;
import io.recsys.contracts.events.v1.EventOutcome;
import io.recsys.contracts.events.v1.EventResult;
import io.recsys.contracts.events.v1.IngestEventsRequest;
import io.recsys.contracts.events.v1.IngestEventsResponse;
import io.recsys.contracts.events.v1.IngestionServiceGrpc;
import io.recsys.contracts.events.v1.UpsertItemsRequest;
import io.recsys.contracts.events.v1.UpsertItemsResponse;
import io.recsys.ingestion.catalog.CatalogIngestor;
import io.recsys.ingestion.ingest.EventIngestor;
import io.recsys.servicekit.GrpcErrorTranslation;
import org.springframework.stereotype.Service;

/** The ingestion-service's gRPC face; what it throws becomes a status through {@link GrpcErrorTranslation}. */
@Service
public class IngestionGrpcService extends IngestionServiceGrpc.IngestionServiceImplBase {

    private final EventIngestor events;
    private final CatalogIngestor catalog;
    private final GrpcErrorTranslation errors;

    public IngestionGrpcService(EventIngestor events, CatalogIngestor catalog, GrpcErrorTranslation errors) {
        this.events = events;
        this.catalog = catalog;
        this.errors = errors;
    }

    @Override
    public void ingestEvents(IngestEventsRequest request, StreamObserver<IngestEventsResponse> responses) {
        events.checkBatchSize(request.getEventsCount());
        responses.onNext(events.ingest(request.getEventsList(), 0));
        responses.onCompleted();
    }

    @Override
    public StreamObserver<IngestEventsRequest> streamEvents(StreamObserver<IngestEventsResponse> responses) {
        return new StreamObserver<>() {
            private final IngestEventsResponse.Builder summary = IngestEventsResponse.newBuilder();
            private int received;
            private boolean failed;

            @Override
            public void onNext(IngestEventsRequest batch) {
                if (failed) {
                    return;
                }
                try {
                    events.checkBatchSize(batch.getEventsCount());
                    IngestEventsResponse answer = events.ingest(batch.getEventsList(), received);
                    received += batch.getEventsCount();
                    summary.setAccepted(summary.getAccepted() + answer.getAccepted())
                            .setDuplicates(summary.getDuplicates() + answer.getDuplicates())
                            .setRejected(summary.getRejected() + answer.getRejected());
                    // accepted events are implied by the counts; a bulk load's answer lists only the others
                    for (EventResult result : answer.getResultsList()) {
                        if (result.getOutcome() != EventOutcome.EVENT_OUTCOME_ACCEPTED) {
                            summary.addResults(result);
                        }
                    }
                } catch (RuntimeException e) {
                    failed = true;
                    // a streaming observer reports its own errors, outside Spring's handler
                    responses.onError(errors.handleException(e));
                }
            }

            @Override
            public void onError(Throwable cancelled) {
                failed = true;
            }

            @Override
            public void onCompleted() {
                if (!failed) {
                    responses.onNext(summary.build());
                    responses.onCompleted();
                }
            }
        };
    }

    @Override
    public void upsertItems(UpsertItemsRequest request, StreamObserver<UpsertItemsResponse> responses) {
        responses.onNext(catalog.upsert(request.getItemsList()));
        responses.onCompleted();
    }
}
