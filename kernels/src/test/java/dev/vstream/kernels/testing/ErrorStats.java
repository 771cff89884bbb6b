package dev.vstream.kernels.testing;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Max absolute and relative error of a kernel's output against a double-precision reference,
 * with the worst element, reported in the assertion message together with the case (seed,
 * shape) so that a failure can be replayed.
 */
public final class ErrorStats {

    /** Relative error is reported only where {@code |expected|} is at least this. */
    private static final double RELATIVE_FLOOR = 1e-3;

    private final String testCase;
    private double maxAbs;
    private double maxRel;
    private double worstBudgetUse = -1;
    private long worstIndex = -1;
    private float worstActual;
    private double worstExpected;
    private long count;

    public ErrorStats(String testCase) {
        this.testCase = testCase;
    }

    /** Records one element; {@code scale} is the magnitude the allowed error grows with. */
    public void add(long index, float actual, double expected, double scale, Tolerance tolerance) {
        count++;
        double error = Math.abs(actual - expected);
        if (Double.isNaN(error)) {
            error = Double.POSITIVE_INFINITY;
        }
        maxAbs = Math.max(maxAbs, error);
        if (Math.abs(expected) >= RELATIVE_FLOOR) {
            maxRel = Math.max(maxRel, error / Math.abs(expected));
        }
        double budget = tolerance.relative() * scale + tolerance.absolute();
        double use = budget == 0 ? (error == 0 ? 0 : Double.POSITIVE_INFINITY) : error / budget;
        if (use > worstBudgetUse) {
            worstBudgetUse = use;
            worstIndex = index;
            worstActual = actual;
            worstExpected = expected;
        }
    }

    public double maxAbs() {
        return maxAbs;
    }

    public double maxRel() {
        return maxRel;
    }

    /** Fails unless every element recorded so far is within {@code tolerance}. */
    public void assertWithin(Tolerance tolerance) {
        assertThat(worstBudgetUse).as("%s", this.describe(tolerance)).isLessThanOrEqualTo(1.0);
    }

    public String describe(Tolerance tolerance) {
        return String.format("%s: %d elements, max abs err %.3g, max rel err %.3g, worst at %d "
                        + "(%s vs %s, %.2f of budget) against %s",
                testCase, count, maxAbs, maxRel, worstIndex, worstActual, worstExpected,
                worstBudgetUse, tolerance);
    }
}
