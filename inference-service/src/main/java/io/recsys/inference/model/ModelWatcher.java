package io.recsys.inference.model;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.recsys.inference.bundle.BundleException;
import io.recsys.inference.config.InferenceProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Watches {@code <model-dir>/<model-name>/} and serves the newest version that loads (or the pinned one). A version
 * that fails to load is reported and remembered (not retried until its files change); the current version keeps
 * serving. At start the first scan runs before the gRPC server opens, so a service with a usable bundle never answers
 * without it.
 */
@Component
public class ModelWatcher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ModelWatcher.class);

    private final InferenceProperties properties;
    private final ModelLoader loader;
    private final ModelRegistry registry;
    private final Counter loaded;
    private final Counter failures;
    private final Map<String, FileTime> failedVersions = new HashMap<>();
    private ScheduledExecutorService scheduler;

    public ModelWatcher(
            InferenceProperties properties, ModelLoader loader, ModelRegistry registry, MeterRegistry meters) {
        this.properties = properties;
        this.loader = loader;
        this.registry = registry;
        this.loaded = Counter.builder("recsys.inference.model.loads")
                .tag("outcome", "loaded")
                .register(meters);
        this.failures = Counter.builder("recsys.inference.model.loads")
                .tag("outcome", "failed")
                .register(meters);
    }

    @Override
    public void start() {
        scan();
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "model-watcher");
            thread.setDaemon(true);
            return thread;
        });
        long every = properties.pollInterval().toMillis();
        var unused = scheduler.scheduleWithFixedDelay(this::scanQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            scheduler = null;
        }
        registry.clear();
    }

    @Override
    public boolean isRunning() {
        return scheduler != null;
    }

    @Override
    public int getPhase() {
        // before the gRPC server (which starts late) so the first requests find the model
        return SmartLifecycle.DEFAULT_PHASE - 2048;
    }

    private void scanQuietly() {
        try {
            scan();
        } catch (RuntimeException e) {
            log.warn("model directory scan failed", e);
        }
    }

    /** One pass: load the best candidate newer than the current version, newest first. */
    synchronized void scan() {
        Path root = properties.modelDir().resolve(properties.modelName());
        Optional<String> current = registry.currentVersion();
        for (String version : candidates(root)) {
            if (current.isPresent()
                    && version.compareTo(current.get()) <= 0
                    && properties.pinnedVersion().isEmpty()) {
                return; // nothing newer than what serves
            }
            if (current.isPresent() && version.equals(current.get())) {
                return;
            }
            Path directory = root.resolve(version);
            FileTime changed = lastModified(directory);
            if (changed.equals(failedVersions.get(version))) {
                continue;
            }
            registry.loading(version);
            try {
                long started = System.nanoTime();
                LoadedModel model = loader.load(directory, registry.closeCallback());
                registry.swap(model);
                failedVersions.remove(version);
                loaded.increment();
                log.info(
                        "serving {} {} on {} (loaded, validated and self-tested in {} ms){}",
                        properties.modelName(),
                        version,
                        model.device(),
                        (System.nanoTime() - started) / 1_000_000,
                        current.map(c -> "; " + c + " retires").orElse(""));
                return;
            } catch (BundleException | RuntimeException e) {
                failedVersions.put(version, changed);
                failures.increment();
                registry.failed(version, e.getMessage());
                log.warn(
                        "refused bundle {} {}: {}{}",
                        properties.modelName(),
                        version,
                        e.getMessage(),
                        current.map(c -> "; " + c + " keeps serving").orElse(""));
            }
        }
    }

    private List<String> candidates(Path root) {
        if (properties.pinnedVersion().isPresent()) {
            String pinned = properties.pinnedVersion().get();
            if (!Files.isDirectory(root.resolve(pinned))) {
                if (!pinned.equals(registry.status().attemptedVersion())
                        || registry.status().state() != ModelRegistry.State.FAILED) {
                    registry.failed(pinned, "pinned version " + pinned + " not found in " + root);
                    log.warn("pinned version {} not found in {}", pinned, root);
                }
                return List.of();
            }
            return List.of(pinned);
        }
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(root)) {
            // names starting with '.' are bundles still being written (docs/model-bundle.md)
            return entries.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(name -> !name.startsWith("."))
                    .sorted(Comparator.reverseOrder())
                    .toList();
        } catch (IOException e) {
            log.warn("cannot list {}: {}", root, e.getMessage());
            return List.of();
        }
    }

    private static FileTime lastModified(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(ModelWatcher::modified)
                    .max(Comparator.naturalOrder())
                    .orElse(FileTime.fromMillis(0));
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
