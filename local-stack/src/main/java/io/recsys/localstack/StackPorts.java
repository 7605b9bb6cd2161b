package io.recsys.localstack;

import io.recsys.localredis.LocalRedisServer;
import java.io.IOException;

/** Where each service listens: the documented defaults, or free ports (tests, parallel stacks). */
public record StackPorts(
        int gatewayHttp,
        int gatewayGrpc,
        int gatewayManagement,
        int ingestionHttp,
        int ingestionGrpc,
        int featureHttp,
        int featureGrpc,
        int inferenceHttp,
        int inferenceGrpc,
        int recommendationHttp,
        int recommendationGrpc,
        int redis) {

    public static StackPorts defaults() {
        return new StackPorts(8080, 9090, 8085, 8081, 9091, 8082, 9092, 8083, 9093, 8084, 9094, 6379);
    }

    public static StackPorts free() throws IOException {
        return new StackPorts(
                LocalRedisServer.freePort(),
                LocalRedisServer.freePort(),
                LocalRedisServer.freePort(),
                LocalRedisServer.freePort(),
                LocalRedisServer.freePort(),
                LocalRedisServer.freePort(),
                LocalRedisServer.freePort(),
                LocalRedisServer.freePort(),
                LocalRedisServer.freePort(),
                LocalRedisServer.freePort(),
                LocalRedisServer.freePort(),
                LocalRedisServer.freePort());
    }
}
