package io.recsys.deploy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A program a test runs from the machine's PATH (Debian's packages here). Without it the test is skipped, except under
 * {@code CI=true}, where it fails: a CI run that quietly skips proves nothing.
 */
final class InstalledTool {

    private InstalledTool() {}

    static Path find(String binary, String debianPackage) {
        Path found = Stream.of(System.getenv("PATH").split(File.pathSeparator))
                .map(dir -> Path.of(dir, binary))
                .filter(Files::isExecutable)
                .findFirst()
                .orElse(null);
        if (found == null) {
            String reason = binary + " is not installed (Debian: apt-get install " + debianPackage + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(reason);
            }
            Assumptions.abort(reason);
        }
        return found;
    }
}
