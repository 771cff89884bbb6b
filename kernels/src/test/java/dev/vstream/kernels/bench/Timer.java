package dev.vstream.kernels.bench;

/** Best-of-N wall-clock timing after a warm-up. */
final class Timer {

    /** Short operations keep repeating until this much time was spent measuring. */
    private static final long MIN_MEASURE_NANOS = 300_000_000L;

    private final int iterations;
    private final long warmupNanos;

    Timer(int iterations, long warmupNanos) {
        this.iterations = iterations;
        this.warmupNanos = warmupNanos;
    }

    /** Seconds of the fastest of at least {@code iterations} runs of {@code operation}. */
    double best(Runnable operation) {
        long warmupEnd = System.nanoTime() + warmupNanos;
        for (int i = 0; i < 2 || System.nanoTime() < warmupEnd; i++) {
            operation.run();
        }
        long best = Long.MAX_VALUE;
        long measureEnd = System.nanoTime() + MIN_MEASURE_NANOS;
        for (int i = 0; i < iterations || System.nanoTime() < measureEnd; i++) {
            long start = System.nanoTime();
            operation.run();
            best = Math.min(best, System.nanoTime() - start);
        }
        return best / 1e9;
    }

    /** Lets OpenBLAS's worker threads stop spinning before our kernels run again. */
    static void settle() {
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
