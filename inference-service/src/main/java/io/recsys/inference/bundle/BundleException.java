package io.recsys.inference.bundle;

/** A bundle that must not be served: unreadable, inconsistent, or not what its metadata says. */
public class BundleException extends Exception {

    public BundleException(String message) {
        super(message);
    }

    public BundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
