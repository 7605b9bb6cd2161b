package io.recsys.gateway.backend;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.recsys.gateway.errors.BackendUnavailableException;
import java.util.function.BiConsumer;
import reactor.core.publisher.Mono;

/**
 * A unary gRPC call as a Mono, without blocking the event loop; cancelling the Mono cancels the call. A backend that
 * could not be reached fails it with {@link BackendUnavailableException}, the one failure a route may retry.
 */
public final class GrpcMono {

    private GrpcMono() {}

    public static <Q, R> Mono<R> unary(Q request, BiConsumer<Q, StreamObserver<R>> call) {
        return Mono.<R>create(sink -> call.accept(request, new ClientResponseObserver<Q, R>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
                        sink.onCancel(() -> requestStream.cancel("caller went away", null));
                    }

                    @Override
                    public void onNext(R value) {
                        sink.success(value);
                    }

                    @Override
                    public void onError(Throwable error) {
                        sink.error(error);
                    }

                    @Override
                    public void onCompleted() {
                        sink.success();
                    }
                }))
                .onErrorMap(BackendUnavailableException::classify);
    }
}
