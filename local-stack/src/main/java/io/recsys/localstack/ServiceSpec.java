package io.recsys.localstack;

import java.util.List;

/**
 * One service of the platform as the local stack runs it: its module (and executable jar), its HTTP port (the public
 * API for the gateway; Actuator too for the others, whose API is gRPC), its gRPC port, and the port Actuator answers on
 * (the gateway's own management port; the HTTP port for the others).
 */
public record ServiceSpec(String module, int httpPort, int grpcPort, int managementPort, List<String> extraArguments) {

    public ServiceSpec {
        extraArguments = List.copyOf(extraArguments);
    }

    /** A service whose Actuator shares its HTTP port. */
    public ServiceSpec(String module, int httpPort, int grpcPort, List<String> extraArguments) {
        this(module, httpPort, grpcPort, httpPort, extraArguments);
    }
}
