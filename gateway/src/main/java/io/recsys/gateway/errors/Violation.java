package io.recsys.gateway.errors;

/** One field at fault, named by its path in the caller's request (e.g. {@code events[3].quantity}). */
public record Violation(String field, String description) {}
