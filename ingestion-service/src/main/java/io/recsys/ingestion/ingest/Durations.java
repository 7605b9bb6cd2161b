package io.recsys.ingestion.ingest;

import java.time.Duration;

/** Durations as people write them in configuration ("365d", "5m", "90s"), for error messages. */
final class Durations {

    private Durations() {}

    static String human(Duration duration) {
        long seconds = duration.toSeconds();
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3_600 == 0) {
            return seconds / 3_600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return duration.toMillis() % 1000 == 0 ? seconds + "s" : duration.toMillis() + "ms";
    }
}
