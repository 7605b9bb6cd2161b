package io.recsys.recommendation.recommend;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Only bounds that hold however slowly the test runs: each deadline is far longer than any pause of the machine. */
class BudgetTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    @Test
    void withoutACallerDeadlineTheDefaultIsTheBudget() {
        Budget budget = Budget.fromCaller(LONG);

        assertThat(budget.totalNanos()).isEqualTo(LONG.toNanos());
        assertThat(budget.remaining()).isLessThanOrEqualTo(LONG).isGreaterThan(Duration.ofSeconds(30));
    }

    @Test
    void theCallersDeadlineWinsOverTheDefault() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            Context.CancellableContext withDeadline = Context.current().withDeadlineAfter(120, TimeUnit.SECONDS, timer);
            Budget budget = withDeadline.call(() -> Budget.fromCaller(Duration.ofMillis(250)));
            withDeadline.cancel(null);

            assertThat(Duration.ofNanos(budget.totalNanos()))
                    .isGreaterThan(LONG)
                    .isLessThanOrEqualTo(Duration.ofMinutes(2));
        } finally {
            timer.shutdownNow();
        }
    }

    @Test
    void aStagesShareIsAtMostItsFractionOfWhatIsLeftAndAtMostItsLongest() {
        Budget budget = Budget.fromCaller(LONG);

        assertThat(budget.share(1, 2, Duration.ofHours(1)))
                .isLessThanOrEqualTo(Duration.ofSeconds(30))
                .isGreaterThan(Duration.ofSeconds(15));
        assertThat(budget.share(1, 2, Duration.ofMillis(250))).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void rankingLeavesAnEighthOfTheBudgetForTheCheapPathAndTheAnswer() {
        Budget budget = Budget.fromCaller(LONG);

        assertThat(budget.rankingTimeout(Duration.ofHours(1)))
                .isLessThanOrEqualTo(LONG.minus(LONG.dividedBy(8)))
                .isGreaterThan(Duration.ofSeconds(30));
    }

    @Test
    void aSpentBudgetStillGivesEachCallOneMillisecondAndNothingRemains() {
        Budget spent = new Budget(System.nanoTime() - 1, Duration.ofMillis(10).toNanos());

        assertThat(spent.remaining()).isZero();
        assertThat(spent.share(1, 2, LONG)).isEqualTo(Duration.ofMillis(1));
        assertThat(spent.rankingTimeout(LONG)).isEqualTo(Duration.ofMillis(1));
    }
}
