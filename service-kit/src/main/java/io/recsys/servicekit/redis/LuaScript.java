package io.recsys.servicekit.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.springframework.core.io.ClassPathResource;

/** A Lua script shipped on the classpath, run with {@link RedisLink#evalForLong} or {@link RedisLink#evalForList}. */
public record LuaScript(String path, String text) {

    public static LuaScript fromClasspath(String path) {
        try {
            return new LuaScript(path, new ClassPathResource(path).getContentAsString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Lua script " + path + " is missing from the classpath", e);
        }
    }
}
