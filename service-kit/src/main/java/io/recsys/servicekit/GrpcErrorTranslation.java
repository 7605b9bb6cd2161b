package io.recsys.servicekit;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.recsys.contracts.errors.GrpcErrors;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.grpc.server.exception.GrpcExceptionHandler;

/**
 * Turns what a service throws into the status its callers should see: statuses pass through; a store that cannot be
 * reached becomes UNAVAILABLE with a retry hint (callers degrade or retry, never hang); anything unexpected becomes
 * INTERNAL without leaking internals.
 */
public class GrpcErrorTranslation implements GrpcExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(GrpcErrorTranslation.class);

    private static final long OUTAGE_LOG_INTERVAL_NANOS = Duration.ofSeconds(5).toNanos();

    private final Duration retryAfter;
    // an outage fails every call; one line every few seconds says so without flooding the log
    private final AtomicLong nextOutageLog = new AtomicLong(System.nanoTime());
    private final AtomicLong quietOutages = new AtomicLong();

    public GrpcErrorTranslation(Duration retryAfter) {
        this.retryAfter = retryAfter;
    }

    @Override
    public StatusException handleException(Throwable error) {
        if (error instanceof StatusRuntimeException e) {
            return new StatusException(e.getStatus(), e.getTrailers());
        }
        if (error instanceof StatusException e) {
            return e;
        }
        if (error instanceof DataAccessException e && !isCommandError(e)) {
            logOutage(e);
            StatusRuntimeException unavailable = GrpcErrors.unavailable("store unavailable, retry later", retryAfter);
            return new StatusException(unavailable.getStatus(), unavailable.getTrailers());
        }
        log.error("unexpected failure", error);
        return Status.INTERNAL.withDescription("internal error").asException();
    }

    private void logOutage(DataAccessException e) {
        long now = System.nanoTime();
        long next = nextOutageLog.get();
        if (now - next >= 0 && nextOutageLog.compareAndSet(next, now + OUTAGE_LOG_INTERVAL_NANOS)) {
            log.warn(
                    "store unavailable ({} more such failures since the last report): {}",
                    quietOutages.getAndSet(0),
                    e.getMostSpecificCause().toString());
        } else {
            quietOutages.incrementAndGet();
        }
    }

    // Redis answered, but with an error (a bug, not an outage): retrying will not help.
    private static boolean isCommandError(DataAccessException e) {
        Throwable cause = e.getMostSpecificCause();
        return cause.getClass().getName().equals("io.lettuce.core.RedisCommandExecutionException")
                && !isTransientServerState(cause.getMessage());
    }

    private static boolean isTransientServerState(String message) {
        if (message == null) {
            return false;
        }
        return message.startsWith("LOADING")
                || message.startsWith("BUSY")
                || message.startsWith("TRYAGAIN")
                || message.startsWith("MASTERDOWN")
                || message.startsWith("READONLY")
                || message.startsWith("OOM");
    }
}
