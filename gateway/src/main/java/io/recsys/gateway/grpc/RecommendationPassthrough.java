package io.recsys.gateway.grpc;

import io.grpc.stub.StreamObserver;
import io.recsys.contracts.recommend.v1.RecommendRequest;
import io.recsys.contracts.recommend.v1.RecommendResponse;
import io.recsys.contracts.recommend.v1.RecommendationServiceGrpc;
import io.recsys.gateway.backend.Deadlines;
import io.recsys.gateway.backend.GatewayProperties;
import org.springframework.stereotype.Service;

/**
 * The same recommendation API over gRPC at the edge, for internal callers outside the cluster network. The caller's
 * deadline travels with the call; a call without one gets the gateway default. Answers and errors (with their details)
 * come back unchanged.
 */
@Service
public class RecommendationPassthrough extends RecommendationServiceGrpc.RecommendationServiceImplBase {

    private final RecommendationServiceGrpc.RecommendationServiceStub backend;
    private final GatewayProperties properties;

    public RecommendationPassthrough(
            RecommendationServiceGrpc.RecommendationServiceStub backend, GatewayProperties properties) {
        this.backend = backend;
        this.properties = properties;
    }

    @Override
    public void recommend(RecommendRequest request, StreamObserver<RecommendResponse> responses) {
        Deadlines.callersDeadlineOr(backend, properties.recommendDeadline()).recommend(request, responses);
    }
}
