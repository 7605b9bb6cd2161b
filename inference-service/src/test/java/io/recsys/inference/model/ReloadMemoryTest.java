package io.recsys.inference.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.recsys.inference.bundle.BundleFixtures;
import io.recsys.inference.bundle.BundleReader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Native memory is given back when a version is closed. The process's resident size moves by tens of MB between samples
 * (malloc arenas), so a leak is judged over many reloads: the smallest size late in the run must not exceed the largest
 * early on by more than a few MB, which a leak of even 0.5 MB per reload (one model's ONNX Runtime session) over 150
 * reloads would.
 */
class ReloadMemoryTest {

    @Test
    void reloadingAVersionManyTimesDoesNotGrowTheProcess() throws Exception {
        ModelLoader loader =
                new ModelLoader(new BundleReader(), ModelLoaderTest.properties(Path.of("unused")), Clock.systemUTC());
        List<Long> early = new ArrayList<>();
        List<Long> late = new ArrayList<>();
        for (int reload = 1; reload <= 250; reload++) {
            loader.load(BundleFixtures.demoBundle(), () -> {}).release();
            if (reload % 25 == 0) {
                (reload <= 100 ? early : late).add(ProcessMemory.residentBytes());
            }
        }
        long growth = Collections.min(late) - Collections.max(early);
        System.out.printf(
                "reloads: resident %d..%d MB over reloads 25-100, %d..%d MB over 125-250%n",
                Collections.min(early) >> 20,
                Collections.max(early) >> 20,
                Collections.min(late) >> 20,
                Collections.max(late) >> 20);
        assertThat(growth).as("resident growth after 150 more reloads, bytes").isLessThan(32L << 20);
    }
}
