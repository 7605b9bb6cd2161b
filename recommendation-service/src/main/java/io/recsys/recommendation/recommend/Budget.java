package io.recsys.recommendation.recommend;

import io.grpc.Context;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** The time a request has left: its gRPC deadline, or a configured default when the caller set none. */
record Budget(long deadlineNanos, long totalNanos) {

    private static final long CHEAP_RANKING_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    static Budget fromCaller(Duration defaultDeadline) {
        Deadline deadline = Context.current().getDeadline();
        long remaining = deadline == null ? defaultDeadline.toNanos() : deadline.timeRemaining(TimeUnit.NANOSECONDS);
        return new Budget(System.nanoTime() + remaining, remaining);
    }

    Duration remaining() {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    /** A stage's timeout: at most {@code numerator/denominator} of what is left, and at most {@code longest}. */
    Duration share(int numerator, int denominator, Duration longest) {
        return bounded((deadlineNanos - System.nanoTime()) * numerator / denominator, longest);
    }

    /**
     * The ranking call's timeout: what is left, less what the cheap ranking, the re-ranking and the answer need if the
     * model is too slow (an eighth of the request's budget, at least 5 ms: on a busy machine those few steps take more
     * than their CPU time).
     */
    Duration rankingTimeout(Duration longest) {
        return bounded(deadlineNanos - System.nanoTime() - Math.max(CHEAP_RANKING_NANOS, totalNanos / 8), longest);
    }

    private static Duration bounded(long nanos, Duration longest) {
        return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), Math.min(longest.toNanos(), nanos)));
    }
}
