package io.recsys.inference.serving;

import org.springframework.stereotype.Service;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.recsys.contracts.inference.v1.GetModelInfoRequest;
import io.recsys.contracts.inference.v1.InferenceServiceGrpc;
import io.recsys.contracts.inference.v1.ModelInfo;
import io.recsys.contracts.inference.v1.ModelState;
import io.recsys.contracts.inference.v1.RankRequest;
import io.recsys.contracts.inference.v1.RankResponse;
import io.recsys.contracts.inference.v1.RetrieveRequest;
import io.recsys.contracts.inference.v1.RetrieveResponse;

/**
 * Model serving's gRPC face. No bundle loader exists yet (that is the inference issue's work), so the
 * service says so honestly: ModelInfo reports NO_MODEL and Rank/Retrieve answer FAILED_PRECONDITION,
 * which the recommendation pipeline treats as "rank without a model".
 */
@Service
public class InferenceGrpcService extends InferenceServiceGrpc.InferenceServiceImplBase {

    @Override
    public void getModelInfo(GetModelInfoRequest request, StreamObserver<ModelInfo> responses) {
        responses.onNext(ModelInfo.newBuilder()
                .setState(ModelState.MODEL_STATE_NO_MODEL)
                .setEngine("none")
                .setDevice("cpu()")
                .build());
        responses.onCompleted();
    }

    @Override
    public void rank(RankRequest request, StreamObserver<RankResponse> responses) {
        throw noModel();
    }

    @Override
    public void retrieve(RetrieveRequest request, StreamObserver<RetrieveResponse> responses) {
        throw noModel();
    }

    private static RuntimeException noModel() {
        return Status.FAILED_PRECONDITION.withDescription("no model bundle is loaded").asRuntimeException();
    }
}
