package io.recsys.inference.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This test process's resident memory, after a full GC, for the tests that watch native memory. */
final class ProcessMemory {

    private ProcessMemory() {}

    static long residentBytes() throws IOException {
        System.gc();
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", "")) * 1024)
                .findFirst()
                .orElseThrow();
    }
}
