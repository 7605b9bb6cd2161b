package io.recsys.servicekit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.recsys.localredis.LocalRedisServer;
import io.recsys.localredis.RedisBinary;
import io.recsys.servicekit.ServiceKitAutoConfiguration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * The hot-path link to a Redis that speaks only TLS on the port it is given and admits an ACL user: it must connect the
 * way Spring's factory is configured (TLS verified against the factory's truststore, the user, the client name), not
 * with a bare host and port. Needs a redis-server built with TLS (Debian's is); the embedded one is not.
 */
class RedisLinkTlsTest {

    private static final String USER = "hot-path";
    private static final String PASSWORD = "s3cret-for-tests";

    @TempDir
    static Path certificates;

    private static LocalRedisServer server;
    private static int tlsPort;
    private LettuceConnectionFactory factory;
    private RedisLink link;

    @BeforeAll
    static void startTlsRedis() throws IOException, InterruptedException {
        RedisBinary binary = RedisBinary.onPath().orElse(null);
        if (binary == null) {
            String reason = "no redis-server on the PATH (the embedded one has no TLS)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(reason);
            }
            Assumptions.abort(reason);
        }
        issueCertificates();
        tlsPort = LocalRedisServer.freePort();
        server = LocalRedisServer.start(
                binary,
                0,
                LocalRedisServer.Persistence.NONE,
                List.of(
                        "--tls-port",
                        Integer.toString(tlsPort),
                        "--tls-cert-file",
                        certificates.resolve("server.crt").toString(),
                        "--tls-key-file",
                        certificates.resolve("server.key").toString(),
                        "--tls-ca-cert-file",
                        certificates.resolve("ca.crt").toString(),
                        "--tls-auth-clients",
                        "no"));
        // the user is made over the plain port, which only this test knows of
        RedisClient admin = RedisClient.create(RedisURI.create(server.host(), server.port()));
        try (StatefulRedisConnection<String, String> connection = admin.connect()) {
            connection
                    .sync()
                    .aclSetuser(
                            USER,
                            AclSetuserArgs.Builder.on()
                                    .addPassword(PASSWORD)
                                    .allKeys()
                                    .allCommands());
        } finally {
            admin.shutdown();
        }
    }

    @AfterAll
    static void stopTlsRedis() {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void disconnect() {
        if (link != null) {
            link.destroy();
        }
        if (factory != null) {
            factory.destroy();
        }
    }

    private RedisLink linkAs(String user, String password) {
        RedisStandaloneConfiguration target = new RedisStandaloneConfiguration("localhost", tlsPort);
        target.setUsername(user);
        target.setPassword(password);
        factory = new LettuceConnectionFactory(
                target,
                LettuceClientConfiguration.builder()
                        .useSsl()
                        .and()
                        .clientName("recsys-tls-test")
                        .commandTimeout(Duration.ofSeconds(2))
                        .clientOptions(ClientOptions.builder()
                                .sslOptions(SslOptions.builder()
                                        .trustManager(
                                                certificates.resolve("ca.crt").toFile())
                                        .build())
                                .build())
                        .build());
        factory.afterPropertiesSet();
        factory.start();
        link = new RedisLink(factory);
        return link;
    }

    @Test
    void theLinkSpeaksTlsAsTheAclUserUnderTheClientName() {
        RedisLink tls = linkAs(USER, PASSWORD);

        String written = tls.call(commands -> commands.set("tls:key", "over tls"));
        String read = tls.call(commands -> commands.get("tls:key"));
        String user = tls.call(commands -> commands.aclWhoami());
        String clientName = tls.call(commands -> commands.clientGetname());

        assertThat(written).isEqualTo("OK");
        assertThat(read).isEqualTo("over tls");
        assertThat(user).isEqualTo(USER);
        assertThat(clientName).isEqualTo("recsys-tls-test");
    }

    @Test
    void aWrongPasswordIsRefusedAsADataAccessError() {
        RedisLink refused = linkAs(USER, "not-the-password");

        assertThatThrownBy(() -> refused.call(commands -> commands.get("tls:key")))
                .isInstanceOf(DataAccessException.class);
    }

    @Test
    void theServicesPropertiesAsTheChartSetsThemForATlsRedisReachItThroughTheLink() {
        // the environment the chart gives a Redis-using service for redis.tls.enabled, as Spring properties
        new ApplicationContextRunner()
                // as in a Spring Boot application: "1s" binds to a Duration
                .withInitializer(context ->
                        context.getBeanFactory().setConversionService(ApplicationConversionService.getSharedInstance()))
                .withConfiguration(AutoConfigurations.of(
                        SslAutoConfiguration.class,
                        DataRedisAutoConfiguration.class,
                        ServiceKitAutoConfiguration.class))
                .withPropertyValues(
                        "spring.data.redis.host=localhost",
                        "spring.data.redis.port=" + tlsPort,
                        "spring.data.redis.username=" + USER,
                        "spring.data.redis.password=" + PASSWORD,
                        "spring.data.redis.ssl.enabled=true",
                        "spring.data.redis.ssl.bundle=redis",
                        "spring.ssl.bundle.pem.redis.truststore.certificate=file:" + certificates.resolve("ca.crt"))
                .run(context -> {
                    RedisLink wired = context.getBean(RedisLink.class);
                    String written = wired.call(commands -> commands.set("tls:wired", "yes"));
                    String user = wired.call(commands -> commands.aclWhoami());

                    assertThat(written).isEqualTo("OK");
                    assertThat(user).isEqualTo(USER);
                });
    }

    private static void issueCertificates() throws IOException, InterruptedException {
        Files.writeString(certificates.resolve("san.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        openssl(
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
                "-days",
                "2",
                "-subj",
                "/CN=recsys-test-ca");
        openssl(
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=localhost");
        openssl(
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.crt",
                "-days",
                "2",
                "-extfile",
                "san.ext");
    }

    private static void openssl(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command)
                .directory(certificates.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", arguments) + " failed");
        }
    }
}
