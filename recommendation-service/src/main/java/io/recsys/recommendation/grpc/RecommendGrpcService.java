package io.recsys.recommendation.grpc;

import io.grpc.stub.StreamObserver;
import io.recsys.contracts.recommend.v1.RecommendRequest;
import io.recsys.contracts.recommend.v1.RecommendResponse;
import io.recsys.contracts.recommend.v1.RecommendationServiceGrpc;
import io.recsys.recommendation.recommend.RecommendationPipeline;
import org.springframework.stereotype.Service;

@Service
public class RecommendGrpcService extends RecommendationServiceGrpc.RecommendationServiceImplBase {

    private final RecommendRequestValidator validator;
    private final RecommendationPipeline pipeline;

    public RecommendGrpcService(RecommendRequestValidator validator, RecommendationPipeline pipeline) {
        this.validator = validator;
        this.pipeline = pipeline;
    }

    @Override
    public void recommend(RecommendRequest request, StreamObserver<RecommendResponse> responses) {
        validator.check(request);
        responses.onNext(pipeline.recommend(request, validator.limitOf(request)));
        responses.onCompleted();
    }
}
