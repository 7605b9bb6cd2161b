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
     * Simulates {@code seconds} of traffic at {@code perSecond} requests from many callers, each taking what the load
     * model says at the level the controller chose for it, with as many in flight as that rate and latency imply
     * (Little's law); returns the level of every 100 ms.
     */
    private List<PredictionDepth> run(int seconds, int perSecond, Function<PredictionDepth, Duration> latencyAtLevel) {
        return run(seconds, perSecond, latencyAtLevel, false);
    }

    /** The same traffic from one caller that waits for each answer: never more than one request in flight. */
    private List<PredictionDepth> runAlone(
            int seconds, int perSecond, Function<PredictionDepth, Duration> latencyAtLevel) {
        return run(seconds, perSecond, latencyAtLevel, true);
    }

    private List<PredictionDepth> run(
            int seconds, int perSecond, Function<PredictionDepth, Duration> latencyAtLevel, boolean alone) {
        List<PredictionDepth> levels = new ArrayList<>();
        Duration gap = Duration.ofNanos(1_000_000_000L / perSecond);
        long requests = (long) seconds * perSecond;
        Instant nextSample = clock.instant();
        for (long i = 0; i < requests; i++) {
            PredictionDepth level = controller.current().depth();
            Duration latency = latencyAtLevel.apply(level);
            long inFlight = alone ? 1 : Math.max(1, Math.round(perSecond * latency.toNanos() / 1e9));
            List<DepthController.Permit> permits = new ArrayList<>();
            for (long p = 0; p < inFlight; p++) {
                permits.add(controller.enter());
            }
            controller.record(latency);
            permits.forEach(DepthController.Permit::close);
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

    /** Past the warm-up, during which latency is not taken for load. */
    private void warm() {
        run((int) DEFAULTS.warmUp().toSeconds() + 1, 100, level -> times(0.12));
    }

    @Test
    void stepsDownFastWhenLatencyRisesAndSaysWhy() {
        warm();
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
    void aColdJvmsSlownessIsNotTakenForOverloadButQueueingIs() {
        // everything slow while the JVM compiles (fewer requests in flight than the capacity): full depth all the same
        List<PredictionDepth> cold = run(5, 50, level -> times(6));
        assertThat(cold).containsOnly(PredictionDepth.PREDICTION_DEPTH_FULL);

        // a real overload during the warm-up still shows as requests piling up
        List<DepthController.Permit> held = new ArrayList<>();
        for (int i = 0; i < 64; i++) { // twice the capacity of 32
            held.add(controller.enter());
        }
        run(1, 100, level -> times(0.2));
        assertThat(controller.current().depth()).isNotEqualTo(PredictionDepth.PREDICTION_DEPTH_FULL);
        held.forEach(DepthController.Permit::close);
    }

    @Test
    void aSingleCallerIsNeverOverloadHoweverSlowItsAnswers() {
        warm();

        List<PredictionDepth> levels =
                runAlone(10, 20, level -> times(3)); // one caller, answers slower than the target

        assertThat(levels).containsOnly(PredictionDepth.PREDICTION_DEPTH_FULL);
        assertThat(controller.current().depth()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_FULL);
    }

    @Test
    void recoversToFullWithinSecondsAfterTheLoadFalls() {
        warm();
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
        warm();
        run(60, 200, load); // settled

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
        warm(); // and at FULL for a minute
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
        warm();
        // a sustained overload where MINIMAL and REDUCED probes keep failing: their back-offs grow
        run(60, 200, level -> level == PredictionDepth.PREDICTION_DEPTH_FALLBACK ? times(0.1) : times(3));
        run(30, 100, level -> times(0.12)); // load gone: back to FULL
        assertThat(controller.current().depth()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_FULL);

        run(1, 100, level -> times(8)); // a spike: FULL falls straight through REDUCED and MINIMAL
        List<PredictionDepth> levels = run(10, 100, level -> times(0.12));

        assertThat(levels.getLast()).isEqualTo(PredictionDepth.PREDICTION_DEPTH_FULL);
    }
}
