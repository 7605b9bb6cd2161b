package io.recsys.inference.model;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.stereotype.Component;

/**
 * The version being served. Swapping is one atomic step: new requests get the new version at once, requests in flight
 * keep theirs until they finish, and the old version is closed after the last one.
 */
@Component
public class ModelRegistry {

    public enum State {
        NO_MODEL,
        LOADING,
        SERVING,
        FAILED
    }

    /** A request's hold on a version; closing it lets the version go once it is no longer current. */
    public record Lease(LoadedModel model) implements AutoCloseable {
        @Override
        public void close() {
            model.release();
        }
    }

    /** What the last attempt to load a version said. */
    public record LoadStatus(State state, String attemptedVersion, String lastError) {}

    private final AtomicReference<LoadedModel> current = new AtomicReference<>();
    private final AtomicReference<LoadStatus> status = new AtomicReference<>(new LoadStatus(State.NO_MODEL, "", ""));
    private final AtomicInteger openModels = new AtomicInteger();

    public ModelRegistry(MeterRegistry meters) {
        Gauge.builder("recsys.inference.models.open", openModels, AtomicInteger::get)
                .description("model versions in memory (current plus retiring ones still serving requests)")
                .register(meters);
    }

    /** The current version, held until the lease is closed; empty when none is loaded. */
    public Optional<Lease> acquire() {
        while (true) {
            LoadedModel model = current.get();
            if (model == null) {
                return Optional.empty();
            }
            if (model.retain()) {
                return Optional.of(new Lease(model));
            }
            // it was retired between the read and the retain: read again
        }
    }

    public Optional<LoadedModel> peek() {
        return Optional.ofNullable(current.get());
    }

    public Optional<String> currentVersion() {
        return peek().map(LoadedModel::version);
    }

    public LoadStatus status() {
        return status.get();
    }

    /**
     * SERVING whenever a version serves (a failed newer one shows in {@link #status()}); else the last attempt's state.
     */
    public State state() {
        if (current.get() != null) {
            return State.SERVING;
        }
        State last = status.get().state();
        return last == State.SERVING ? State.NO_MODEL : last;
    }

    void loading(String version) {
        status.set(new LoadStatus(State.LOADING, version, status.get().lastError()));
    }

    void failed(String version, String error) {
        status.set(new LoadStatus(State.FAILED, version, error));
    }

    Runnable closeCallback() {
        openModels.incrementAndGet();
        return openModels::decrementAndGet;
    }

    /** Makes {@code next} current; the previous version closes once its last request is done. */
    void swap(LoadedModel next) {
        LoadedModel previous = current.getAndSet(next);
        status.set(new LoadStatus(State.SERVING, next.version(), ""));
        if (previous != null) {
            previous.release();
        }
    }

    /** Stops serving: the current version closes once its last request is done. */
    void clear() {
        LoadedModel previous = current.getAndSet(null);
        if (previous != null) {
            previous.release();
        }
    }

    public int openModels() {
        return openModels.get();
    }
}
