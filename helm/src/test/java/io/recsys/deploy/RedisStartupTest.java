package io.recsys.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
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
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled Redis's container command, as the chart renders it, run with a real redis-server: it must demand the
 * password from the Secret, answer the readiness probe's redis-cli, and keep the password off every command line.
 */
class RedisStartupTest {

    private static final String PASSWORD = "chart-test-password-0123456789";

    @TempDir
    Path work;

    private Process redis;

    @AfterEach
    void stop() throws InterruptedException {
        if (redis != null) {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theRenderedCommandStartsARedisThatWantsThePasswordWhichNoCommandLineShows() throws Exception {
        Path server = InstalledTool.find("redis-server", "redis-server");
        Path cli = InstalledTool.find("redis-cli", "redis-server");
        Container container = ChartRenderingTest.redisContainer(Manifests.parse(Chart.render(Chart.values())));
        int port = freePort();
        List<String> command = new ArrayList<>();
        // the pod's paths are this test's directory; the image's redis-server is the installed one
        for (String part : container.getCommand()) {
            command.add(
                    part.replace("/tmp/redis.conf", work.resolve("redis.conf").toString())
                            .replace("exec redis-server", "exec " + server));
        }
        for (String argument : container.getArgs()) {
            command.add(argument.equals("/data") ? work.toString() : argument);
        }
        command.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.redirectOutput(work.resolve("redis.log").toFile());
        builder.environment().put("REDIS_PASSWORD", PASSWORD);
        redis = builder.start();

        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> send(port, "PING").startsWith("-NOAUTH"));
        assertThat(send(port, "AUTH " + PASSWORD + "\r\nPING")).isEqualTo("+OK\r\n+PONG\r\n");
        assertThat(send(port, "AUTH not-the-password")).startsWith("-WRONGPASS");

        List<String> probe =
                new ArrayList<>(container.getReadinessProbe().getExec().getCommand());
        probe.set(0, cli.toString());
        probe.addAll(1, List.of("-p", Integer.toString(port)));
        ProcessBuilder readiness = new ProcessBuilder(probe).redirectErrorStream(true);
        readiness.environment().put("REDISCLI_AUTH", PASSWORD);
        Process answered = readiness.start();
        String reply = new String(answered.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(answered.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(reply.strip()).isEqualTo("PONG");

        // the shell exec'd redis-server: its command line is the one the pod shows
        String commandLine = Files.readString(Path.of("/proc/" + redis.pid() + "/cmdline"));
        assertThat(commandLine).contains("redis-server").doesNotContain(PASSWORD);
        assertThat(Files.getPosixFilePermissions(work.resolve("redis.conf")))
                .containsOnly(
                        java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                        java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }

    private static String send(int port, String commands) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write((commands + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            int replies = commands.split("\r\n").length;
            InputStream in = socket.getInputStream();
            StringBuilder reply = new StringBuilder();
            int lines = 0;
            while (lines < replies) {
                int next = in.read();
                if (next < 0) {
                    break;
                }
                reply.append((char) next);
                if (next == '\n') {
                    lines++;
                }
            }
            return reply.toString();
        } catch (IOException e) {
            return "";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
