package io.recsys.gateway.auth;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.grpc.server.GlobalServerInterceptor;
import org.springframework.stereotype.Component;

/**
 * The same keys for the gRPC edge, in the {@code x-api-key} (or {@code authorization: Bearer}) metadata. Health checks
 * and reflection stay open: the kubelet's gRPC probes carry no metadata.
 */
@Component
@GlobalServerInterceptor
public class ApiKeyServerInterceptor implements ServerInterceptor {

    private static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ApiKeys keys;
    private final Counter rejections;

    public ApiKeyServerInterceptor(ApiKeys keys, MeterRegistry meters) {
        this.keys = keys;
        this.rejections = ApiKeys.rejections(meters, "grpc");
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        String service = call.getMethodDescriptor().getServiceName();
        if (!keys.required()
                || isInfrastructure(service)
                || keys.accepts(ApiKeys.presented(headers.get(API_KEY), headers.get(AUTHORIZATION)))) {
            return next.startCall(call, headers);
        }
        rejections.increment();
        call.close(
                Status.UNAUTHENTICATED.withDescription("a valid API key is required (metadata x-api-key)"),
                new Metadata());
        return new ServerCall.Listener<>() {};
    }

    private static boolean isInfrastructure(String service) {
        return service != null && (service.startsWith("grpc.health.") || service.startsWith("grpc.reflection."));
    }
}
