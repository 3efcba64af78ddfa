package org.dnnc.runtime;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What {@code predict} returns: every declared output of a network for {@link #count()} examples,
 * by name, each example after the other in C order.
 *
 * <pre>{@code
 * Outputs out = net.predict(inputs);
 * float[] probs = out.example("probs", 0);
 * int predicted = out.argmax("probs", 0);
 * }</pre>
 */
public final class Outputs {
    private final int count;
    private final List<TensorSpec> specs;
    private final Map<String, float[]> values = new LinkedHashMap<>();

    private Outputs(List<TensorSpec> specs, int count) {
        this.count = count;
        this.specs = List.copyOf(specs);
        for (TensorSpec spec : specs) {
            values.put(spec.name(), new float[Math.multiplyExact(count, spec.size())]);
        }
    }

    /** Zeroed arrays for {@code count} examples of each output in {@code specs}, for a network to fill. */
    public static Outputs allocate(List<TensorSpec> specs, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("negative example count " + count);
        }
        return new Outputs(specs, count);
    }

    /** The number of examples. */
    public int count() {
        return count;
    }

    /** The outputs, in declaration order. */
    public List<TensorSpec> specs() {
        return specs;
    }

    /**
     * Output {@code name} of all examples: {@code count() * shape} values, not copied.
     *
     * @throws IllegalArgumentException if the network has no such output
     */
    public float[] get(String name) {
        float[] v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no output `" + name + "`: the outputs are "
                    + specs.stream().map(TensorSpec::toString).collect(Collectors.joining(", ")));
        }
        return v;
    }

    /** The shape of one example of output {@code name}. */
    public int[] shape(String name) {
        get(name);
        return specs.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow().shape();
    }

    /** Output {@code name} of example {@code i}, copied. */
    public float[] example(String name, int i) {
        Objects.checkIndex(i, count);
        float[] v = get(name);
        int size = v.length / count;
        return Arrays.copyOfRange(v, i * size, (i + 1) * size);
    }

    /** The index of the largest value of output {@code name} for example {@code i}: the predicted class of a classifier. */
    public int argmax(String name, int i) {
        float[] row = example(name, i);
        int best = 0;
        for (int k = 1; k < row.length; k++) {
            if (row[k] > row[best]) {
                best = k;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return "Outputs[" + count + " examples of " + specs.stream().map(TensorSpec::toString)
                .collect(Collectors.joining(", ")) + "]";
    }
}
