package io.recsys.contracts.validation;

import java.util.Optional;

/**
 * The rule every user, item and event id follows across the platform: 1 to 128 characters of letters, digits and
 * {@code . _ : @ -}, starting with a letter or digit. Ids end up in Redis keys and log lines, so whitespace, braces
 * (Redis Cluster hash tags) and control characters are kept out.
 */
public final class Identifiers {

    public static final int MAX_LENGTH = 128;

    private Identifiers() {}

    /** Why {@code value} is not a valid id, or empty when it is. */
    public static Optional<String> problem(String value) {
        if (value == null || value.isEmpty()) {
            return Optional.of("is required");
        }
        if (value.length() > MAX_LENGTH) {
            return Optional.of("must be at most " + MAX_LENGTH + " characters");
        }
        if (!matchesIdRule(value)) {
            return Optional.of("must start with a letter or digit and contain only letters, digits and . _ : @ -");
        }
        return Optional.empty();
    }

    // a hand-written check of the rule: ids are validated several times per event on the ingest hot path
    private static boolean matchesIdRule(String value) {
        char first = value.charAt(0);
        if (!isAsciiLetterOrDigit(first)) {
            return false;
        }
        for (int i = 1; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!isAsciiLetterOrDigit(c) && c != '.' && c != '_' && c != ':' && c != '@' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    public static boolean isValid(String value) {
        return problem(value).isEmpty();
    }
}
