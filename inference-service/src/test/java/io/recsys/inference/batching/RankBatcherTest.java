package io.recsys.inference.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class RankBatcherTest {

    private static final int WIDTH = 3;

    /**
     * A stand-in model whose score of a row is a fixed function of the row and the model, so every answer is checkable.
     */
    private record FakeModel(float factor) {
        float[] score(float[] rows, int count) {
            float[] scores = new float[count];
            for (int r = 0; r < count; r++) {
                scores[r] = factor * (rows[r * WIDTH] + 10 * rows[r * WIDTH + 1] + 100 * rows[r * WIDTH + 2]);
            }
            return scores;
        }
    }

    private static float[] rows(int count, int seed) {
        Random random = new Random(seed);
        float[] rows = new float[count * WIDTH];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = random.nextInt(1000) / 10f;
        }
        return rows;
    }

    @Test
    void everyCallerGetsExactlyItsOwnScoresInOrderUnderConcurrency() throws Exception {
        FakeModel model = new FakeModel(1f);
        List<Integer> batchSizes = java.util.Collections.synchronizedList(new ArrayList<>());
        RankBatcher.Scorer<FakeModel> scorer = (m, rows, count) -> {
            batchSizes.add(count);
            return m.score(rows, count);
        };
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (RankBatcher<FakeModel> batcher =
                new RankBatcher<>(scorer, new RankBatcher.Settings(256, Duration.ofMillis(2), 1_000_000, 2), meters)) {
            ExecutorService callers = Executors.newFixedThreadPool(16);
            List<Future<Integer>> checked = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                checked.add(callers.submit(() -> {
                    Random random = new Random(thread);
                    for (int call = 0; call < 200; call++) {
                        int count = 1 + random.nextInt(40);
                        float[] rows = rows(count, thread * 1000 + call);
                        float[] scores = batcher.submit(model, rows, count, WIDTH, Long.MAX_VALUE)
                                .get(10, TimeUnit.SECONDS);
                        assertThat(scores).containsExactly(model.score(rows, count));
                    }
                    return 200;
                }));
            }
            for (Future<Integer> f : checked) {
                assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(200);
            }
            callers.shutdown();
            // concurrent calls were really merged, and no batch broke its row limit (every call is at most 40 rows)
            assertThat(batchSizes).anyMatch(size -> size > 40);
            assertThat(batchSizes).allMatch(size -> size <= 256);
            assertThat(meters.get("recsys.inference.batch.requests").summary().max())
                    .isGreaterThan(1);
        }
    }

    @Test
    void requestsForDifferentModelsNeverShareABatch() throws Exception {
        FakeModel old = new FakeModel(1f);
        FakeModel fresh = new FakeModel(-2f);
        AtomicInteger mixed = new AtomicInteger();
        CountDownLatch hold = new CountDownLatch(1);
        RankBatcher.Scorer<FakeModel> scorer = (m, rows, count) -> {
            hold.await();
            return m.score(rows, count);
        };
        try (RankBatcher<FakeModel> batcher = new RankBatcher<>(
                scorer,
                new RankBatcher.Settings(1000, Duration.ofMillis(50), 1_000_000, 1),
                new SimpleMeterRegistry())) {
            List<CompletableFuture<float[]>> results = new ArrayList<>();
            List<FakeModel> models = new ArrayList<>();
            List<float[]> inputs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                FakeModel model = i % 3 == 0 ? fresh : old;
                float[] rows = rows(2, i);
                models.add(model);
                inputs.add(rows);
                results.add(batcher.submit(model, rows, 2, WIDTH, Long.MAX_VALUE));
            }
            hold.countDown();
            for (int i = 0; i < results.size(); i++) {
                float[] scores = results.get(i).get(10, TimeUnit.SECONDS);
                if (!java.util.Arrays.equals(scores, models.get(i).score(inputs.get(i), 2))) {
                    mixed.incrementAndGet();
                }
            }
        }
        assertThat(mixed).hasValue(0);
    }

    @Test
    void aFullQueueRefusesAtOnceAndAnExpiredRequestIsNotRun() throws Exception {
        FakeModel model = new FakeModel(1f);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger rowsScored = new AtomicInteger();
        RankBatcher.Scorer<FakeModel> scorer = (m, rows, count) -> {
            release.await();
            rowsScored.addAndGet(count);
            return m.score(rows, count);
        };
        try (RankBatcher<FakeModel> batcher = new RankBatcher<>(
                scorer, new RankBatcher.Settings(10, Duration.ZERO, 25, 1), new SimpleMeterRegistry())) {
            CompletableFuture<float[]> running = batcher.submit(model, rows(10, 1), 10, WIDTH, Long.MAX_VALUE);
            awaitQueueEmpty(batcher); // the worker holds it, blocked in the model
            long expiry = System.nanoTime() + 1_000_000;
            CompletableFuture<float[]> expiring = batcher.submit(model, rows(10, 2), 10, WIDTH, expiry);
            CompletableFuture<float[]> waiting = batcher.submit(model, rows(10, 3), 10, WIDTH, Long.MAX_VALUE);

            // refused at once: already completed when submit returns
            CompletableFuture<float[]> refused = batcher.submit(model, rows(10, 4), 10, WIDTH, Long.MAX_VALUE);
            assertThat(refused).isCompletedExceptionally();
            assertThat(causeOf(refused)).isInstanceOf(RankBatcher.QueueFullException.class);

            // the expiring request's deadline passes while it waits
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> System.nanoTime() - expiry > 0);
            release.countDown();
            assertThat(running.get(5, TimeUnit.SECONDS)).hasSize(10);
            assertThat(waiting.get(5, TimeUnit.SECONDS)).hasSize(10);
            assertThat(causeOf(expiring)).isInstanceOf(RankBatcher.DeadlineExceededException.class);
            assertThat(rowsScored).hasValue(20);
        }
    }

    private static void awaitQueueEmpty(RankBatcher<?> batcher) {
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(1))
                .until(() -> batcher.queuedRows() == 0);
    }

    private static Throwable causeOf(CompletableFuture<?> future) {
        try {
            future.get(5, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }
}
