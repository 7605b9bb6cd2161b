package io.recsys.localredis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway Redis Cluster of child processes on loopback, made from the same redis-server binary as
 * {@link LocalRedisServer}: {@code masters} masters owning equal slot ranges, each with {@code replicasPerMaster}
 * replicas. The harness assigns the slots itself ({@code CLUSTER ADDSLOTSRANGE}, {@code CLUSTER MEET}, {@code CLUSTER
 * REPLICATE}), so nothing else (redis-cli, Docker) is needed.
 */
public final class LocalRedisCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalRedisCluster.class);
    private static final int SLOTS = 16_384;
    private static final Duration FORMATION_TIMEOUT = Duration.ofSeconds(60);

    private final List<LocalRedisServer> masters;
    private final List<LocalRedisServer> replicas;

    private LocalRedisCluster(List<LocalRedisServer> masters, List<LocalRedisServer> replicas) {
        this.masters = masters;
        this.replicas = replicas;
    }

    public static LocalRedisCluster start(
            RedisBinary binary, int masters, int replicasPerMaster, LocalRedisServer.Persistence persistence)
            throws IOException {
        List<LocalRedisServer> started = new ArrayList<>();
        try {
            List<LocalRedisServer> masterNodes = new ArrayList<>();
            List<LocalRedisServer> replicaNodes = new ArrayList<>();
            for (int i = 0; i < masters; i++) {
                LocalRedisServer node = LocalRedisServer.startClusterNode(binary, persistence);
                started.add(node);
                masterNodes.add(node);
            }
            for (int i = 0; i < masters * replicasPerMaster; i++) {
                LocalRedisServer node = LocalRedisServer.startClusterNode(binary, persistence);
                started.add(node);
                replicaNodes.add(node);
            }
            LocalRedisCluster cluster = new LocalRedisCluster(masterNodes, replicaNodes);
            cluster.form(replicasPerMaster);
            log.info("Redis Cluster of {} masters and {} replicas: {}", masters, replicaNodes.size(), cluster.nodes());
            return cluster;
        } catch (IOException | RuntimeException e) {
            started.forEach(LocalRedisServer::close);
            throw e;
        }
    }

    private void form(int replicasPerMaster) throws IOException {
        for (int i = 0; i < masters.size(); i++) {
            int first = i * SLOTS / masters.size();
            int last = (i + 1) * SLOTS / masters.size() - 1;
            expectOk(command(
                    masters.get(i), "CLUSTER", "ADDSLOTSRANGE", Integer.toString(first), Integer.toString(last)));
        }
        LocalRedisServer seed = masters.getFirst();
        for (LocalRedisServer node : all()) {
            if (node != seed) {
                expectOk(command(seed, "CLUSTER", "MEET", node.host(), Integer.toString(node.port())));
            }
        }
        awaitKnown(all().size());
        for (int r = 0; r < replicas.size(); r++) {
            LocalRedisServer master = masters.get(r / replicasPerMaster);
            String masterId = command(master, "CLUSTER", "MYID");
            expectOk(command(replicas.get(r), "CLUSTER", "REPLICATE", masterId));
        }
        awaitState("ok");
        awaitReplicasLinked();
    }

    /**
     * Waits until every running node that is a replica now (a failed-over master comes back as one) has synchronised
     * with its master and follows its writes.
     */
    public void awaitReplicasLinked() throws IOException {
        await("the replicas did not synchronise with their masters", () -> {
            for (LocalRedisServer node : all()) {
                if (node.isRunning()) {
                    String info = command(node, "INFO", "replication");
                    if (info.contains("role:slave") && !info.contains("master_link_status:up")) {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    /** "host:port,host:port,...": every node, for {@code spring.data.redis.cluster.nodes}. */
    public String nodes() {
        return all().stream().map(n -> n.host() + ":" + n.port()).collect(Collectors.joining(","));
    }

    public List<LocalRedisServer> masters() {
        return List.copyOf(masters);
    }

    public List<LocalRedisServer> replicas() {
        return List.copyOf(replicas);
    }

    /** Waits until every running node reports {@code cluster_state:<state>} and knows every slot's owner. */
    public void awaitState(String state) throws IOException {
        await("the cluster did not reach cluster_state:" + state, () -> {
            for (LocalRedisServer node : all()) {
                if (node.isRunning()) {
                    String info = command(node, "CLUSTER", "INFO");
                    if (!info.contains("cluster_state:" + state) || !info.contains("cluster_slots_assigned:16384")) {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    /** Something a test does while a replica is behind its master. */
    @FunctionalInterface
    public interface WhileBehind {
        void run() throws Exception;
    }

    /**
     * Kills {@code master} (SIGKILL) while it holds writes its replicas lack: they are frozen (SIGSTOP) and cut off
     * from it ({@code CLIENT KILL TYPE replica}), {@code whileBehind} makes the writes, then the master dies and the
     * replicas run on, one of them to be promoted without those writes.
     */
    public void crashMasterAheadOfItsReplicas(LocalRedisServer master, WhileBehind whileBehind) throws Exception {
        List<LocalRedisServer> behind = replicasOf(master);
        for (LocalRedisServer replica : behind) {
            replica.freeze();
        }
        try {
            String reply = command(master, "CLIENT", "KILL", "TYPE", "replica");
            if (reply.startsWith("-")) {
                throw new IOException("Redis answered " + reply);
            }
            whileBehind.run();
            master.crash();
        } finally {
            for (LocalRedisServer replica : behind) {
                replica.resume();
            }
        }
    }

    /** The replicas {@code master} (one of {@link #masters()}) was given when the cluster was formed. */
    public List<LocalRedisServer> replicasOf(LocalRedisServer master) {
        int index = masters.indexOf(master);
        if (index < 0 || replicas.isEmpty()) {
            throw new IllegalArgumentException("not a master with replicas: " + master.port());
        }
        int perMaster = replicas.size() / masters.size();
        return List.copyOf(replicas.subList(index * perMaster, (index + 1) * perMaster));
    }

    /**
     * Waits until a replica of {@code master} (one of {@link #masters()}, killed by the caller) has been promoted in
     * its place and the cluster serves every slot again.
     */
    public void awaitFailoverOf(LocalRedisServer master) throws IOException {
        List<LocalRedisServer> candidates = replicasOf(master);
        await("no replica of " + master.port() + " was promoted", () -> {
            for (LocalRedisServer replica : candidates) {
                if (replica.isRunning()
                        && command(replica, "INFO", "replication").contains("role:master")) {
                    return true;
                }
            }
            return false;
        });
        awaitState("ok");
    }

    private void awaitKnown(int nodes) throws IOException {
        await("the cluster's nodes did not meet", () -> {
            for (LocalRedisServer node : all()) {
                if (!command(node, "CLUSTER", "INFO").contains("cluster_known_nodes:" + nodes)) {
                    return false;
                }
            }
            return true;
        });
    }

    /** A condition on the nodes, asked over their sockets. */
    @FunctionalInterface
    private interface Condition {
        boolean holds() throws IOException;
    }

    /**
     * Polls {@code condition} until it holds; after {@link #FORMATION_TIMEOUT}, an IOException saying {@code failure}.
     */
    private static void await(String failure, Condition condition) throws IOException {
        long deadline = System.nanoTime() + FORMATION_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.holds()) {
                return;
            }
            LocalRedisServer.sleepBriefly();
        }
        throw new IOException(failure + " within " + FORMATION_TIMEOUT);
    }

    private List<LocalRedisServer> all() {
        List<LocalRedisServer> all = new ArrayList<>(masters);
        all.addAll(replicas);
        return all;
    }

    @Override
    public void close() {
        all().forEach(LocalRedisServer::close);
    }

    private static void expectOk(String reply) throws IOException {
        if (!"OK".equals(reply)) {
            throw new IOException("Redis answered " + reply);
        }
    }

    /** One command over a plain socket: the reply as text (a bulk string, a status, an integer or an error). */
    static String command(LocalRedisServer node, String... args) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(node.host(), node.port()), 1000);
            socket.setSoTimeout(5000);
            StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                request.append('$')
                        .append(arg.getBytes(StandardCharsets.UTF_8).length)
                        .append("\r\n")
                        .append(arg)
                        .append("\r\n");
            }
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            String header = line(in);
            return switch (header.charAt(0)) {
                case '+', ':' -> header.substring(1);
                case '-' -> header;
                case '$' -> {
                    int length = Integer.parseInt(header.substring(1));
                    if (length < 0) {
                        yield "";
                    }
                    byte[] body = in.readNBytes(length + 2);
                    yield new String(body, 0, length, StandardCharsets.UTF_8);
                }
                default -> throw new IOException("unexpected reply " + header);
            };
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\r') {
                in.read();
                break;
            }
            line.append((char) c);
        }
        return line.toString();
    }
}
