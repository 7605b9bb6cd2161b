package io.recsys.localstack;

import java.util.List;

/**
 * One service of the platform as the local stack runs it: its module (and executable jar), its HTTP port (Actuator, and
 * the public API for the gateway) and its gRPC port.
 */
public record ServiceSpec(String module, int httpPort, int grpcPort, List<String> extraArguments) {

    public ServiceSpec {
        extraArguments = List.copyOf(extraArguments);
    }
}
