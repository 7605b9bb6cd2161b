package io.recsys.recommendation.degradation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.recsys.contracts.recommend.v1.DepthReason;
import io.recsys.contracts.recommend.v1.PredictionDepth;
import io.recsys.testsupport.Configured;
import io.recsys.testsupport.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class DepthControllerTest {

    /** A clock the test moves. */
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-27T12:00:00Z"));

    private static final DepthProperties DEFAULTS = Configured.defaults(DepthProperties.PREFIX, DepthProperties.class);
    private static final Duration TARGET = DEFAULTS.targetLatency();

    /** A latency as a multiple of the target, so that the scenarios read the same whatever the configured target. */
    private static Duration times(double factor) {
        return Duration.ofNanos((long) (TARGET.toNanos() * factor));
    }

    private final DepthController controller = new DepthController(DEFAULTS, clock, new SimpleMeterRegistry());

    /**
     * Simulates {@code seconds} of traffic at {@code perSecond} requests, each taking what the load model says at the
     * level the controller chose for it; returns the level of every 100 ms.
     */
    private List<PredictionDepth> run(int seconds, int perSecond, Function<PredictionDepth, Duration> latencyAtLevel) {
        List<PredictionDepth> levels = new ArrayList<>();
        Duration gap = Duration.ofNanos(1_000_000_000L / perSecond);
        long requests = (long) seconds * perSecond;
        Instant nextSample = clock.instant();
        for (long i = 0; i < requests; i++) {
            PredictionDepth level = controller.current().depth();
            controller.record(latencyAtLevel.apply(level));
            clock.advance(gap);
            if (!clock.instant().isBefore(nextSample)) {
                levels.add(level);
                nextSample = nextSample.plusMillis(100);
            }
        }
        return levels;
    }

    private static int changes(List<PredictionDepth> levels) {
        int changes = 0;
        for (int i = 1; i < levels.size(); i++) {
            if (levels.get(i) != levels.get(i - 1)) {
                changes++;
            }
        }
        return changes;
    }

    @Test
    void stepsDownFastWhenLatencyRisesAndSaysWhy() {
        run(2, 200, level -> times(0.2));
        assertThat(controller.current().depth()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_FULL);

        List<PredictionDepth> levels = run(2, 200, level -> times(3.2)); // over three times the target at every level

        assertThat(levels.subList(0, 10))
                .containsAnyOf(PredictionDepth.PREDICTION_DEPTH_REDUCED, PredictionDepth.PREDICTION_DEPTH_MINIMAL);
        assertThat(controller.current().depth()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_FALLBACK);
        assertThat(controller.current().reasons()).containsExactly(DepthReason.DEPTH_REASON_HIGH_LATENCY);
    }

    @Test
    void stepsDownWhenTooManyRequestsAreInFlight() {
        List<DepthController.Permit> held = new ArrayList<>();
        for (int i = 0; i < 64; i++) { // twice the capacity of 32
            held.add(controller.enter());
        }
        run(1, 100, level -> times(0.2));

        assertThat(controller.current().depth()).isNotEqualTo(PredictionDepth.PREDICTION_DEPTH_FULL);
        assertThat(controller.current().reasons()).containsExactly(DepthReason.DEPTH_REASON_HIGH_CONCURRENCY);
        held.forEach(DepthController.Permit::close);
    }

    @Test
    void aColdStartDoesNotLeaveABackOffBehind() {
        run(5, 100, level -> times(6)); // everything slow while the JVM compiles
        assertThat(controller.current().depth()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_FALLBACK);

        List<PredictionDepth> levels = run(5, 100, level -> times(0.12));

        assertThat(levels.getLast()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_FULL);
    }

    @Test
    void recoversToFullWithinSecondsAfterTheLoadFalls() {
        run(61, 100, level -> times(0.12)); // a warm service
        run(3, 200, level -> times(3.2));
        assertThat(controller.current().depth()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_FALLBACK);

        List<PredictionDepth> levels = run(10, 50, level -> times(0.16)); // a quarter of the traffic, fast answers

        int firstFull = levels.indexOf(PredictionDepth.PREDICTION_DEPTH_FULL);
        assertThat(firstFull).as("100 ms samples until FULL").isBetween(0, 60);
        assertThat(levels.subList(firstFull, levels.size())).containsOnly(PredictionDepth.PREDICTION_DEPTH_FULL);
    }

    @Test
    void aSteadyLoadSettlesInsteadOfOscillating() {
        // at this load FULL costs a little over the target, REDUCED well under it, MINIMAL less still
        Function<PredictionDepth, Duration> load = level -> switch (level) {
            case PREDICTION_DEPTH_FULL -> times(1.3);
            case PREDICTION_DEPTH_REDUCED -> times(0.5);
            default -> times(0.2);
        };
        run(60, 200, load); // past the first minute (warm-up: falls set no back-off), settled

        List<PredictionDepth> levels = run(300, 200, load); // five minutes of the same load

        assertThat(levels.stream()
                        .filter(l -> l == PredictionDepth.PREDICTION_DEPTH_REDUCED)
                        .count())
                .as("share of time at REDUCED")
                .isGreaterThan(levels.size() * 9L / 10);
        // probing FULL again is allowed, but ever more rarely (the back-off doubles): not flapping
        assertThat(changes(levels)).isLessThanOrEqualTo(20);
        assertThat(changes(levels.subList(levels.size() / 2, levels.size())))
                .as("changes in the last 150 s")
                .isLessThanOrEqualTo(4);
        assertThat(levels).doesNotContain(PredictionDepth.PREDICTION_DEPTH_FALLBACK);
    }

    @Test
    void aLevelThatHeldForAWhileIsTriedAgainSoonAfterAPassingSpike() {
        run(61, 100, level -> times(0.12)); // warm, at FULL for a minute
        Function<PredictionDepth, Duration> cheapOnly =
                level -> level == PredictionDepth.PREDICTION_DEPTH_FALLBACK ? times(0.05) : times(0.3);
        run(1, 100, level -> times(8)); // a two-second spike: a restart next door, say
        run(1, 100, level -> times(8));
        assertThat(controller.current().depth()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_FALLBACK);

        List<PredictionDepth> levels = run(10, 100, cheapOnly);

        assertThat(levels.getLast()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_FULL);
    }

    @Test
    void levelsPassedThroughOnTheWayDownAreNotHeldAgainstTheRecovery() {
        run(61, 100, level -> times(0.12));
        // a sustained overload where MINIMAL and REDUCED probes keep failing: their back-offs grow
        run(60, 200, level -> level == PredictionDepth.PREDICTION_DEPTH_FALLBACK ? times(0.1) : times(3));
        run(30, 100, level -> times(0.12)); // load gone: back to FULL
        assertThat(controller.current().depth()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_FULL);

        run(1, 100, level -> times(8)); // a spike: FULL falls straight through REDUCED and MINIMAL
        List<PredictionDepth> levels = run(10, 100, level -> times(0.12));

        assertThat(levels.getLast()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_FULL);
    }
}
