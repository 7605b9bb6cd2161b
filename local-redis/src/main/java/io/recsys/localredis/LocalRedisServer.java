package io.recsys.localredis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway redis-server child process on loopback: no persistence, its own working directory, stopped (and its files
 * removed) by {@link #close()}. Used by the local stack and by tests, so that neither needs a Redis installed by hand.
 */
public final class LocalRedisServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalRedisServer.class);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(20);

    /** How much of what Redis acknowledged survives a crash of the process. */
    public enum Persistence {
        /** Nothing: the default of a throwaway server. */
        NONE,
        /** Append-only file, fsync before every reply: whatever Redis acknowledged survives {@link #crash()}. */
        AOF_ALWAYS
    }

    private final RedisBinary binary;
    private final int port;
    private final Path workDir;
    private final Persistence persistence;
    private final boolean clusterNode;
    private final List<String> extraArguments;
    private Process process;

    private LocalRedisServer(
            RedisBinary binary,
            int port,
            Path workDir,
            Persistence persistence,
            boolean clusterNode,
            List<String> extraArguments) {
        this.binary = binary;
        this.port = port;
        this.workDir = workDir;
        this.persistence = persistence;
        this.clusterNode = clusterNode;
        this.extraArguments = List.copyOf(extraArguments);
    }

    /** Starts a server without persistence on the given port, or on a free one when {@code port} is 0. */
    public static LocalRedisServer start(RedisBinary binary, int port) throws IOException {
        return start(binary, port, Persistence.NONE);
    }

    public static LocalRedisServer start(RedisBinary binary, int port, Persistence persistence) throws IOException {
        return start(binary, port, persistence, List.of());
    }

    /**
     * Starts a server with more {@code redis-server} arguments, e.g. a {@code --tls-port} beside the plain port (on
     * which the start is awaited).
     */
    public static LocalRedisServer start(
            RedisBinary binary, int port, Persistence persistence, List<String> extraArguments) throws IOException {
        int chosenPort = port == 0 ? freePort() : port;
        LocalRedisServer server = new LocalRedisServer(
                binary, chosenPort, Files.createTempDirectory("recsys-redis-"), persistence, false, extraArguments);
        server.startProcess();
        return server;
    }

    /** Starts a node of a Redis Cluster on a free port, not yet part of one ({@link LocalRedisCluster} joins it). */
    static LocalRedisServer startClusterNode(RedisBinary binary, Persistence persistence) throws IOException {
        LocalRedisServer server = new LocalRedisServer(
                binary,
                clusterNodePort(),
                Files.createTempDirectory("recsys-redis-cluster-"),
                persistence,
                true,
                List.of());
        server.startProcess();
        return server;
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    public RedisBinary binary() {
        return binary;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Kills the server with SIGKILL, as a crash would: nothing is flushed on the way out. */
    public synchronized void crash() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            process = null;
        }
    }

    /**
     * Freezes the process (SIGSTOP) until {@link #resume()}: its peers still count it as connected, but it answers
     * nothing, like a replica that has fallen behind.
     */
    public synchronized void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** Lets a frozen process run on (SIGCONT). */
    public synchronized void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        if (process == null) {
            throw new IllegalStateException("redis-server on port " + port + " is not running");
        }
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                .redirectErrorStream(true)
                .start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed: "
                    + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Stops the server (SIGTERM), as an outage would; {@link #restart()} brings it back on the same port. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** Starts the server again on the same port and directory; with persistence it reloads its data. */
    public synchronized void restart() throws IOException {
        stop();
        startProcess();
    }

    @Override
    public void close() {
        stop();
        deleteRecursively(workDir);
    }

    private synchronized void startProcess() throws IOException {
        List<String> command = new ArrayList<>(List.of(
                binary.path().toString(),
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                persistence == Persistence.AOF_ALWAYS ? "yes" : "no",
                "--appendfsync",
                "always",
                "--dir",
                workDir.toString(),
                "--logfile",
                workDir.resolve("redis.log").toString()));
        if (clusterNode) {
            // the node's identity and the cluster's layout survive a restart in this file
            command.addAll(List.of(
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    workDir.resolve("nodes.conf").toString(),
                    "--cluster-node-timeout",
                    "2000"));
        }
        command.addAll(extraArguments);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with code " + process.exitValue() + " on port " + port
                        + "; see " + workDir.resolve("redis.log"));
            }
            if (ping(host(), port)) {
                log.info("redis-server {} listening on {}:{}", binary.description(), host(), port);
                return;
            }
            sleepBriefly();
        }
        stop();
        throw new IOException("redis-server did not answer PING on port " + port + " within " + STARTUP_TIMEOUT);
    }

    /** True when a Redis answers PING at the address. */
    public static boolean ping(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            socket.setSoTimeout(1000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            int read = in.readNBytes(reply, 0, reply.length);
            return new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A port for a cluster node: Redis also listens on that port + 10,000 (the cluster bus), which a port the kernel
     * hands out ({@link #freePort}) would put in the ephemeral range, where the next service's {@code freePort()} may
     * get the same number before the node binds it. Below that range (20000-22767, bus 30000-32767) neither can be.
     */
    static int clusterNodePort() throws IOException {
        int first = 20_000;
        int count = 2_768;
        int start = java.util.concurrent.ThreadLocalRandom.current().nextInt(count);
        for (int i = 0; i < count; i++) {
            int port = first + (start + i) % count;
            if (bindable(port) && bindable(port + 10_000)) {
                return port;
            }
        }
        throw new IOException("no free port pair for a cluster node in " + first + "-" + (first + count - 1));
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    static void sleepBriefly() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteRecursively(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.debug("could not remove {}", dir, e);
        }
    }
}
