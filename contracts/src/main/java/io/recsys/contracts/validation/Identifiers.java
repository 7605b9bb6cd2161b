package io.recsys.contracts.validation;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rule every user, item and event id follows across the platform: 1 to 128 characters of letters,
 * digits and {@code . _ : @ -}, starting with a letter or digit. Ids end up in Redis keys and log
 * lines, so whitespace, braces (Redis Cluster hash tags) and control characters are kept out.
 */
public final class Identifiers {

    public static final int MAX_LENGTH = 128;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0," + (MAX_LENGTH - 1) + "}");

    private Identifiers() {
    }

    /** Why {@code value} is not a valid id, or empty when it is. */
    public static Optional<String> problem(String value) {
        if (value == null || value.isEmpty()) {
            return Optional.of("is required");
        }
        if (value.length() > MAX_LENGTH) {
            return Optional.of("must be at most " + MAX_LENGTH + " characters");
        }
        if (!ID.matcher(value).matches()) {
            return Optional.of("must start with a letter or digit and contain only letters, digits and . _ : @ -");
        }
        return Optional.empty();
    }

    public static boolean isValid(String value) {
        return problem(value).isEmpty();
    }
}
