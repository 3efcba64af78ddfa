package org.dnnc.compiler.sema;

import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.TensorType;

/**
 * The largest tensor a generated class can hold: it counts and indexes elements with Java {@code
 * int}s, so a tensor has at most {@link Integer#MAX_VALUE} elements. Parameters are checked as layers
 * make them, inputs as they are declared and every other value at the batch the network is planned
 * for, so that a tensor past the limit is an error at its layer, not an overflow in code generation.
 */
final class TensorLimits {
    private static final BigInteger MAX_ELEMENTS = BigInteger.valueOf(Integer.MAX_VALUE);

    private static final String LIMIT = "a tensor holds at most " + format(MAX_ELEMENTS);

    private TensorLimits() {}

    /** Why a tensor is too large, and what would make it fit. */
    record TooLarge(String message, String hint) {}

    /**
     * The examples per step the programs are planned for, and whether the train section sets them:
     * without one they are the default, which the user cannot lower.
     */
    record PlannedBatch(int size, boolean setByTrainSection) {}

    /**
     * Checks a parameter, which has no batch axis.
     *
     * @param subject what makes it, up to the sizes: "`dense` would make a `weight` of"
     * @param remedy how to make it smaller, for the hint
     */
    static Optional<TooLarge> parameter(String subject, TensorType type, String remedy) {
        BigInteger elements = perExample(type);
        if (elements.compareTo(MAX_ELEMENTS) <= 0) {
            return Optional.empty();
        }
        return Optional.of(new TooLarge(subject + " " + sizes(type, elements) + " elements; " + LIMIT, remedy));
    }

    /**
     * Checks a value of {@code batch} examples, as the programs are planned: per example first, then
     * the whole batch.
     *
     * @param subject what makes or declares it, up to the sizes: "`dense` would make a value of", "input `x` has"
     * @param remedy how to make it smaller, for the hint
     */
    static Optional<TooLarge> value(String subject, TensorType type, PlannedBatch batch, String remedy) {
        BigInteger elements = perExample(type);
        if (elements.compareTo(MAX_ELEMENTS) > 0) {
            return Optional.of(new TooLarge(subject + " " + sizes(type, elements) + " elements per example; " + LIMIT,
                    remedy));
        }
        BigInteger total = elements.multiply(BigInteger.valueOf(batch.size()));
        if (!type.hasBatch() || total.compareTo(MAX_ELEMENTS) <= 0) {
            return Optional.empty();
        }
        BigInteger fit = MAX_ELEMENTS.divide(elements);
        return Optional.of(new TooLarge(subject + " " + sizes(type, elements) + " elements per example, "
                + format(total) + " for a batch of " + batch.size() + "; " + LIMIT,
                "at most " + format(fit) + (fit.equals(BigInteger.ONE) ? " example" : " examples")
                        + " of this size fit in one tensor: "
                        + (batch.setByTrainSection() ? "lower the train section's `batch`, or " : "") + remedy));
    }

    /** Every axis but the batch, variable lengths at their bound. */
    private static BigInteger perExample(TensorType type) {
        BigInteger product = BigInteger.ONE;
        for (Dim d : axes(type)) {
            product = product.multiply(BigInteger.valueOf(d.bound()));
        }
        return product;
    }

    /** {@code 2147483647 × 784 = 1,683,627,180,048}: the sizes as declared, then their product; one axis alone. */
    private static String sizes(TensorType type, BigInteger elements) {
        List<Dim> axes = axes(type);
        if (axes.size() == 1) {
            return format(elements);
        }
        return axes.stream().map(d -> Integer.toString(d.bound())).collect(Collectors.joining(" × "))
                + " = " + format(elements);
    }

    private static List<Dim> axes(TensorType type) {
        return type.dims().stream().filter(d -> !(d instanceof Dim.Batch)).toList();
    }

    private static String format(BigInteger n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
