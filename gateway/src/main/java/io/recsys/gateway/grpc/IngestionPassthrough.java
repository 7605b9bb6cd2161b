package io.recsys.gateway.grpc;

import io.grpc.stub.StreamObserver;
import io.recsys.contracts.events.v1.IngestEventsRequest;
import io.recsys.contracts.events.v1.IngestEventsResponse;
import io.recsys.contracts.events.v1.IngestionServiceGrpc;
import io.recsys.contracts.events.v1.UpsertItemsRequest;
import io.recsys.contracts.events.v1.UpsertItemsResponse;
import io.recsys.gateway.backend.Deadlines;
import io.recsys.gateway.backend.GatewayProperties;
import org.springframework.stereotype.Service;

/** Event and catalog ingestion over gRPC at the edge, passed through unchanged (client streaming included). */
@Service
public class IngestionPassthrough extends IngestionServiceGrpc.IngestionServiceImplBase {

    private final IngestionServiceGrpc.IngestionServiceStub backend;
    private final GatewayProperties properties;

    public IngestionPassthrough(IngestionServiceGrpc.IngestionServiceStub backend, GatewayProperties properties) {
        this.backend = backend;
        this.properties = properties;
    }

    @Override
    public void ingestEvents(IngestEventsRequest request, StreamObserver<IngestEventsResponse> responses) {
        stub().ingestEvents(request, responses);
    }

    @Override
    public StreamObserver<IngestEventsRequest> streamEvents(StreamObserver<IngestEventsResponse> responses) {
        // a bulk upload lasts as long as the caller streams: only the caller's own deadline applies
        return backend.streamEvents(responses);
    }

    @Override
    public void upsertItems(UpsertItemsRequest request, StreamObserver<UpsertItemsResponse> responses) {
        stub().upsertItems(request, responses);
    }

    private IngestionServiceGrpc.IngestionServiceStub stub() {
        return Deadlines.callersDeadlineOr(backend, properties.ingestDeadline());
    }
}
