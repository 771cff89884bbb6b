package dev.vstream.model.testing;

import static org.assertj.core.api.Assertions.fail;

import dev.vstream.kernels.cpu.CpuKernels;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Where the committed goldens of each model family are, and the kernels a parameterized golden test names. */
public final class GoldenResources {

    private GoldenResources() {
    }

    /**
     * A file or folder under the test resources' {@code <family>/} folder, written by
     * {@code reference/<family>/make_goldens.py}.
     */
    public static Path path(String family, String relative) {
        URL url = GoldenResources.class.getResource("/" + family + "/" + relative);
        if (url == null) {
            fail("golden resource " + family + "/" + relative + " is missing: run reference/" + family
                    + "/make_goldens.py");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code "vector"} or {@code "scalar"}: the kernel set a parameterized test runs with. */
    public static CpuKernels kernels(String name, CpuKernels vector, CpuKernels scalar) {
        return switch (name) {
            case "vector" -> vector;
            case "scalar" -> scalar;
            default -> throw new IllegalArgumentException(name);
        };
    }
}
