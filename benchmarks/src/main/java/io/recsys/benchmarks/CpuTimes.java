package io.recsys.benchmarks;

import io.recsys.localstack.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time (user + system) used so far by each service, by Redis and by this process (the load generator), from
 * {@code /proc/<pid>/stat}: where a request's cost lands on a shared machine. Of the services' time, what their JIT
 * compiler threads and their garbage collector's threads used is also read, per thread, from
 * {@code /proc/<pid>/task/<tid>/stat}: a cold JVM spends much of its CPU compiling, which answers nothing.
 */
record CpuTimes(Map<String, Long> ticks, Map<String, Long> servicesThreads) {

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
        Map<String, Long> threads = new LinkedHashMap<>();
        threads.put("jit_compilers", 0L);
        threads.put("gc", 0L);
        for (ServiceProcess service : services) {
            for (Map.Entry<String, Long> thread :
                    threadTicks(service.handle().pid()).entrySet()) {
                String kind = threadKind(thread.getKey());
                if (kind != null) {
                    threads.merge(kind, thread.getValue(), Long::sum);
                }
            }
        }
        return new CpuTimes(ticks, threads);
    }

    // HotSpot's thread names (comm holds their first 15 characters): "C2 CompilerThre", "C1 CompilerThre"; ZGC's
    // "ZWorkerYoung#0", "ZDirector", ...; G1's and the others' "GC Thread#0", "G1 Conc#0", ...
    private static String threadKind(String name) {
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            return "jit_compilers";
        }
        if (name.matches("Z[A-Z].*") || name.startsWith("GC Thread") || name.startsWith("G1 ")) {
            return "gc";
        }
        return null;
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
        // parts of the services' figures above, not added to the total
        servicesThreads.forEach((kind, now) -> {
            // a thread that ended since takes its time with it: never below zero
            double used = Math.max(0, now - earlier.servicesThreads().getOrDefault(kind, 0L)) * MILLIS_PER_TICK;
            millis.put("services_" + kind, answers == 0 ? 0 : Math.round(used / answers * 100) / 100.0);
        });
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
            return ticksIn(Files.readString(Path.of("/proc/" + pid + "/stat")));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Each live thread's ticks by its name; threads of one name (a pool) are summed. */
    private static Map<String, Long> threadTicks(long pid) {
        Map<String, Long> byName = new LinkedHashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    byName.merge(name, ticksIn(stat), Long::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended while being read
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // the process ended
        }
        return byName;
    }

    // fields after the command (which may hold spaces and parentheses) start after its last closing parenthesis
    private static long ticksIn(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
