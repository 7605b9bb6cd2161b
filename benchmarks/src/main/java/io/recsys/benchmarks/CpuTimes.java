package io.recsys.benchmarks;

import io.recsys.localstack.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time (user + system) used so far by each service, by Redis and by this process (the load generator), from
 * {@code /proc/<pid>/stat}: where a request's cost lands on a shared machine.
 */
record CpuTimes(Map<String, Long> ticks) {

    // USER_HZ: 100 on every Linux this runs on (it is fixed by the kernel's ABI, unlike the timer frequency)
    private static final double MILLIS_PER_TICK = 10.0;

    static CpuTimes read(List<ServiceProcess> services) {
        Map<String, Long> ticks = new LinkedHashMap<>();
        for (ServiceProcess service : services) {
            ticks.put(service.spec().module(), ticksOf(service.handle().pid()));
        }
        ticks.put(
                "redis-server",
                ProcessHandle.current()
                        .descendants()
                        .filter(p -> commandName(p.pid()).startsWith("redis-server"))
                        .mapToLong(p -> ticksOf(p.pid()))
                        .sum());
        ticks.put("load-generator", ticksOf(ProcessHandle.current().pid()));
        return new CpuTimes(ticks);
    }

    /** Milliseconds of CPU per answer since {@code earlier}, per process, and their total. */
    Map<String, Object> perAnswerSince(CpuTimes earlier, long answers) {
        Map<String, Object> millis = new LinkedHashMap<>();
        double total = 0;
        for (Map.Entry<String, Long> entry : ticks.entrySet()) {
            double used = (entry.getValue() - earlier.ticks().getOrDefault(entry.getKey(), 0L)) * MILLIS_PER_TICK;
            double perAnswer = answers == 0 ? 0 : used / answers;
            millis.put(entry.getKey(), Math.round(perAnswer * 100) / 100.0);
            if (!entry.getKey().equals("load-generator")) {
                total += perAnswer;
            }
        }
        millis.put("platform_total", Math.round(total * 100) / 100.0);
        return millis;
    }

    // what the kernel calls the process: Redis renames its command line, and ProcessHandle.Info may not know it
    private static String commandName(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static long ticksOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // fields after the command (which may hold spaces) start after its closing parenthesis
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
