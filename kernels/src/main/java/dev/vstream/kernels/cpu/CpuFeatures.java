package dev.vstream.kernels.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import jdk.incubator.vector.FloatVector;

/**
 * What this JVM and CPU offer the kernels, found out once at start-up. Machines differ (Intel
 * Sapphire Rapids with AMX and AVX-512, AMD EPYC with AVX-512, laptops with AVX2 or NEON), so
 * nothing is assumed at build time.
 *
 * @param architecture {@code os.arch}, e.g. {@code amd64}, {@code aarch64}
 * @param processors   processors available to this JVM
 * @param vectorApi    whether {@code jdk.incubator.vector} is in the boot layer
 *                     ({@code --add-modules jdk.incubator.vector})
 * @param vectorBits   {@code FloatVector.SPECIES_PREFERRED} width, 0 without the Vector API
 * @param cpuFlags     the kernel-relevant instruction-set flags of /proc/cpuinfo (empty where
 *                     it cannot be read)
 */
public record CpuFeatures(String architecture, int processors, boolean vectorApi, int vectorBits,
                          Set<String> cpuFlags) {

    /** Flags worth logging and deciding on; the full list runs to a hundred entries. */
    private static final List<String> RELEVANT_FLAGS = List.of("avx", "avx2", "fma", "avx512f",
            "avx512bw", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16", "asimd", "fphp", "sve", "sve2");

    public CpuFeatures {
        Objects.requireNonNull(architecture, "architecture");
        cpuFlags = Set.copyOf(cpuFlags);
    }

    /** Detects the running machine. */
    public static CpuFeatures detect() {
        boolean vectorApi = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        // Only touch FloatVector when its module is there: loading it otherwise fails.
        int bits = vectorApi ? VectorWidth.preferredBits() : 0;
        return new CpuFeatures(System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(),
                vectorApi, bits, readFlags(Path.of("/proc/cpuinfo")));
    }

    /** The relevant flags of the first processor in a cpuinfo file, or none if unreadable. */
    static Set<String> readFlags(Path cpuinfo) {
        try (var lines = Files.lines(cpuinfo)) {
            // x86 lists "flags : ...", arm64 "Features : ...".
            return lines.filter(line -> line.startsWith("flags") || line.startsWith("Features"))
                    .findFirst()
                    .map(line -> Arrays.stream(line.substring(line.indexOf(':') + 1).trim().split("\\s+"))
                            .filter(RELEVANT_FLAGS::contains)
                            .collect(Collectors.toCollection(TreeSet::new)))
                    .map(Set::<String>copyOf)
                    .orElse(Set.of());
        } catch (IOException | RuntimeException e) {
            return Set.of();
        }
    }

    /**
     * Whether the CPU fuses multiply-add in hardware. Without it the Vector API's {@code fma}
     * falls back to a software {@code Math.fma} per lane, far slower than scalar code. x86:
     * the {@code fma} flag (assumed present with 256-bit vectors where flags are unreadable,
     * as every AVX2 CPU has it); arm64: always (part of ASIMD).
     */
    public boolean hasFma() {
        return switch (architecture) {
            case "amd64", "x86_64" -> cpuFlags.contains("fma") || (cpuFlags.isEmpty() && vectorBits >= 256);
            case "aarch64" -> true;
            default -> false;
        };
    }

    /** Whether the Vector API kernels will beat the scalar ones here. */
    public boolean vectorKernelsPay() {
        return vectorApi && vectorBits >= 128 && hasFma();
    }

    /** One line for the start-up log. */
    public String summary() {
        return architecture + ", " + processors + " processors, "
                + (vectorApi ? vectorBits + "-bit vectors" : "no Vector API")
                + (cpuFlags.isEmpty() ? "" : ", " + String.join(" ", new TreeSet<>(cpuFlags)));
    }

    /** Isolates the one reference to the incubator module. */
    private static final class VectorWidth {
        static int preferredBits() {
            return FloatVector.SPECIES_PREFERRED.vectorBitSize();
        }
    }
}
