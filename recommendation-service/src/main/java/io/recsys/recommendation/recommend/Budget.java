package io.recsys.recommendation.recommend;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.grpc.Context;
import io.grpc.Deadline;

/** The time a request has left: its gRPC deadline, or a configured default when the caller set none. */
record Budget(long deadlineNanos) {

    // kept back from every dependency call, for the stages after it and the answer itself
    private static final long RESERVE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    static Budget fromCaller(Duration defaultDeadline) {
        Deadline deadline = Context.current().getDeadline();
        long remaining = deadline == null ? defaultDeadline.toNanos() : deadline.timeRemaining(TimeUnit.NANOSECONDS);
        return new Budget(System.nanoTime() + remaining);
    }

    Duration remaining() {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    /** A dependency call's timeout: at most {@code longest}, and never past what the request has left. */
    Duration timeout(Duration longest) {
        long left = deadlineNanos - System.nanoTime() - RESERVE_NANOS;
        return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(longest.toNanos(), left)));
    }
}
