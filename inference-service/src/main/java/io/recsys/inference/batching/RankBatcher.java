package io.recsys.inference.batching;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Dynamic batching: concurrent scoring requests are merged into one model call of up to {@code maxBatchRows} rows, or
 * whatever has arrived {@code maxWait} after the batch's first request was queued (a request that already waited that
 * long for a free worker closes its batch at once). A batch never waits when no other request is in flight: a lone
 * caller is not delayed for company that cannot come.
 *
 * <p>Each of the {@code workers} threads forms a batch (one at a time, under a lock), then runs it on its own. Requests
 * for different models (a version swap in progress) never share a batch. The queue is bounded in rows: a request that
 * does not fit is refused at once ({@link QueueFullException}) so the caller can degrade, and a request whose deadline
 * passed while it waited is dropped, not run.
 *
 * @param <M> the model handle requests are scored with
 */
public final class RankBatcher<M> implements AutoCloseable {

    /** Scores {@code rowCount} rows laid out back to back in {@code rows} (which may be longer). */
    @FunctionalInterface
    public interface Scorer<M> {
        float[] score(M model, float[] rows, int rowCount) throws Exception;
    }

    public record Settings(int maxBatchRows, Duration maxWait, int maxQueuedRows, int workers) {}

    public static final class QueueFullException extends RuntimeException {
        QueueFullException(int queued, int limit) {
            super("the ranking queue holds " + queued + " rows (limit " + limit + ")", null, false, false);
        }
    }

    public static final class DeadlineExceededException extends RuntimeException {
        DeadlineExceededException() {
            super("the deadline passed while the request waited for the model", null, false, false);
        }
    }

    public static final class StoppedException extends RuntimeException {
        StoppedException() {
            super("the batcher is shut down", null, false, false);
        }
    }

    private record Job<M>(
            M model,
            float[] rows,
            int rowCount,
            int width,
            long deadlineNanos,
            long queuedAtNanos,
            CompletableFuture<float[]> result) {}

    private final Scorer<M> scorer;
    private final Settings settings;
    private final long maxWaitNanos;
    private final LinkedBlockingDeque<Job<M>> queue = new LinkedBlockingDeque<>();
    private final AtomicInteger queuedRows = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ReentrantLock forming = new ReentrantLock();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running = true;

    private final DistributionSummary batchRows;
    private final DistributionSummary batchRequests;
    private final Timer queueWait;
    private final Timer modelLatency;
    private final Counter queueFull;
    private final Counter expired;

    public RankBatcher(Scorer<M> scorer, Settings settings, MeterRegistry meters) {
        this.scorer = scorer;
        this.settings = settings;
        this.maxWaitNanos = settings.maxWait().toNanos();
        this.batchRows = DistributionSummary.builder("recsys.inference.batch.rows")
                .description("rows per model call")
                .publishPercentileHistogram()
                // a summary's buckets otherwise run up to Long.MAX_VALUE: hundreds of series
                .minimumExpectedValue(1.0)
                .maximumExpectedValue(4096.0)
                .register(meters);
        this.batchRequests = DistributionSummary.builder("recsys.inference.batch.requests")
                .description("requests per model call")
                .publishPercentileHistogram()
                // a summary's buckets otherwise run up to Long.MAX_VALUE: hundreds of series
                .minimumExpectedValue(1.0)
                .maximumExpectedValue(4096.0)
                .register(meters);
        this.queueWait = Timer.builder("recsys.inference.queue.wait")
                .description("time a request waited for its batch to run")
                .publishPercentileHistogram()
                .register(meters);
        this.modelLatency = Timer.builder("recsys.inference.model.latency")
                .description("time of one model call (one batch)")
                .publishPercentileHistogram()
                .register(meters);
        this.queueFull = Counter.builder("recsys.inference.rejections")
                .tag("reason", "queue_full")
                .register(meters);
        this.expired = Counter.builder("recsys.inference.rejections")
                .tag("reason", "deadline")
                .register(meters);
        Gauge.builder("recsys.inference.queue.rows", queuedRows, AtomicInteger::get)
                .register(meters);
        for (int i = 0; i < settings.workers(); i++) {
            Thread worker = new Thread(this::work, "rank-batcher-" + i);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
    }

    /**
     * Queues {@code rowCount} rows of {@code width} floats for scoring with {@code model}.
     *
     * @param deadlineNanos {@link System#nanoTime()} after which the result is of no use; {@link Long#MAX_VALUE} for
     *     none
     * @return the scores, in the rows' order; fails with {@link QueueFullException} at once when the queue is full
     */
    public CompletableFuture<float[]> submit(M model, float[] rows, int rowCount, int width, long deadlineNanos) {
        if (!running) {
            return CompletableFuture.failedFuture(new StoppedException());
        }
        int queued = queuedRows.addAndGet(rowCount);
        // one request larger than the whole limit still runs when it is alone
        if (queued > settings.maxQueuedRows() && queued != rowCount) {
            queuedRows.addAndGet(-rowCount);
            queueFull.increment();
            return CompletableFuture.failedFuture(new QueueFullException(queued - rowCount, settings.maxQueuedRows()));
        }
        CompletableFuture<float[]> result = new CompletableFuture<>();
        inFlight.incrementAndGet();
        var unused = result.whenComplete((scores, error) -> inFlight.decrementAndGet());
        queue.add(new Job<>(model, rows, rowCount, width, deadlineNanos, System.nanoTime(), result));
        return result;
    }

    public int queuedRows() {
        return queuedRows.get();
    }

    private void work() {
        float[] scratch = new float[0];
        while (running) {
            List<Job<M>> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            if (!batch.isEmpty()) {
                scratch = run(batch, scratch);
            }
        }
    }

    private List<Job<M>> nextBatch() throws InterruptedException {
        forming.lockInterruptibly();
        try {
            Job<M> first = queue.pollFirst(100, TimeUnit.MILLISECONDS);
            if (first == null) {
                return List.of();
            }
            List<Job<M>> batch = new ArrayList<>();
            batch.add(first);
            int rows = first.rowCount();
            long closeAt = first.queuedAtNanos() + maxWaitNanos;
            while (rows < settings.maxBatchRows()) {
                Job<M> next = queue.pollFirst();
                if (next == null) {
                    long wait = closeAt - System.nanoTime();
                    // requests in flight beyond this batch are being scored; their callers may send more
                    if (wait <= 0
                            || inFlight.get() <= batch.size()
                            || (next = queue.pollFirst(wait, TimeUnit.NANOSECONDS)) == null) {
                        break;
                    }
                }
                if (next.model() != first.model() || rows + next.rowCount() > settings.maxBatchRows()) {
                    queue.offerFirst(next); // the next batch starts with it
                    break;
                }
                batch.add(next);
                rows += next.rowCount();
            }
            return batch;
        } finally {
            forming.unlock();
        }
    }

    private float[] run(List<Job<M>> batch, float[] scratch) {
        long now = System.nanoTime();
        List<Job<M>> live = new ArrayList<>(batch.size());
        int rows = 0;
        for (Job<M> job : batch) {
            queuedRows.addAndGet(-job.rowCount());
            queueWait.record(now - job.queuedAtNanos(), TimeUnit.NANOSECONDS);
            if (now - job.deadlineNanos() > 0) {
                expired.increment();
                job.result().completeExceptionally(new DeadlineExceededException());
            } else {
                live.add(job);
                rows += job.rowCount();
            }
        }
        if (live.isEmpty()) {
            return scratch;
        }
        M model = live.getFirst().model();
        int width = live.getFirst().width();
        float[] input;
        if (live.size() == 1) {
            input = live.getFirst().rows();
        } else {
            if (scratch.length < rows * width) {
                scratch = new float[Math.max(rows * width, scratch.length * 2)];
            }
            int at = 0;
            for (Job<M> job : live) {
                System.arraycopy(job.rows(), 0, scratch, at, job.rowCount() * width);
                at += job.rowCount() * width;
            }
            input = scratch;
        }
        batchRows.record(rows);
        batchRequests.record(live.size());
        float[] scores;
        long started = System.nanoTime();
        try {
            scores = scorer.score(model, input, rows);
        } catch (Exception | Error e) {
            live.forEach(job -> job.result().completeExceptionally(e));
            return scratch;
        } finally {
            modelLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
        int offset = 0;
        for (Job<M> job : live) {
            job.result().complete(Arrays.copyOfRange(scores, offset, offset + job.rowCount()));
            offset += job.rowCount();
        }
        return scratch;
    }

    @Override
    public void close() {
        running = false;
        workers.forEach(Thread::interrupt);
        for (Thread worker : workers) {
            try {
                worker.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Job<M> left;
        while ((left = queue.pollFirst()) != null) {
            left.result().completeExceptionally(new StoppedException());
        }
    }
}
