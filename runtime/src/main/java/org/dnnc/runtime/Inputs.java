package org.dnnc.runtime;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A batch of examples for a network, one array per named input: float arrays for {@code float}
 * inputs, int arrays for {@code int} inputs (class labels, token ids, lengths), each holding the
 * examples one after the other in C order. Training steps read the targets (such as {@code label})
 * from it too.
 *
 * <pre>{@code
 * Outputs out = net.predict(Inputs.of("image", pixels).and("class_id", ids));
 * }</pre>
 *
 * <p>The arrays are not copied: an {@code Inputs} can be filled again for every batch without
 * allocating. Not thread-safe.
 */
public final class Inputs {
    private final Map<String, Object> arrays = new LinkedHashMap<>();

    /** An empty set of inputs, to {@link #and} arrays to. */
    public Inputs() {}

    /** The float input {@code name}. */
    public static Inputs of(String name, float[] values) {
        return new Inputs().and(name, values);
    }

    /** The int input {@code name}. */
    public static Inputs of(String name, int[] values) {
        return new Inputs().and(name, values);
    }

    /** Adds (or replaces) the float input {@code name}; returns this. */
    public Inputs and(String name, float[] values) {
        return put(name, values);
    }

    /** Adds (or replaces) the int input {@code name}; returns this. */
    public Inputs and(String name, int[] values) {
        return put(name, values);
    }

    private Inputs put(String name, Object values) {
        if (name == null || values == null) {
            throw new NullPointerException(name == null ? "input name" : "the values of input `" + name + "`");
        }
        arrays.put(name, values);
        return this;
    }

    /** The names given, in the order they were added. */
    public Set<String> names() {
        return Collections.unmodifiableSet(arrays.keySet());
    }

    /** Whether an array named {@code name} was given. */
    public boolean has(String name) {
        return arrays.containsKey(name);
    }

    /**
     * The float array given for {@code name}.
     *
     * @throws IllegalArgumentException if there is none, or it holds ints
     */
    public float[] floats(String name) {
        if (get(name) instanceof float[] values) {
            return values;
        }
        throw new IllegalArgumentException("input `" + name + "` holds int values, not float");
    }

    /**
     * The int array given for {@code name}.
     *
     * @throws IllegalArgumentException if there is none, or it holds floats
     */
    public int[] ints(String name) {
        if (get(name) instanceof int[] values) {
            return values;
        }
        throw new IllegalArgumentException("input `" + name + "` holds float values, not int");
    }

    private Object get(String name) {
        Object values = arrays.get(name);
        if (values == null) {
            throw new IllegalArgumentException("no input `" + name + "` given (given: "
                    + (arrays.isEmpty() ? "none" : String.join(", ", arrays.keySet())) + ")");
        }
        return values;
    }

    /**
     * Checks that these arrays are exactly the inputs {@code specs} name, of their element types,
     * each with at least {@code count} examples (longer arrays are allowed, as buffers sized for a
     * full batch are), for a step that takes 1 to {@code maxCount} examples.
     *
     * @throws IllegalArgumentException naming the input, its expected shape and what was given
     */
    public void checkBatch(List<TensorSpec> specs, int count, int maxCount) {
        if (count < 1 || count > maxCount) {
            throw new IllegalArgumentException("a step takes between 1 and " + maxCount + " examples, got " + count);
        }
        checkNames(specs);
        for (int i = 0; i < specs.size(); i++) {
            TensorSpec spec = specs.get(i);
            long needed = (long) count * spec.size();
            int given = length(spec);
            if (given < needed) {
                throw new IllegalArgumentException("input `" + spec.name() + "`: expected " + count
                        + " examples of " + perExample(spec) + ", got " + given + " values");
            }
        }
    }

    /**
     * The number of examples these arrays hold, checking that they are exactly the inputs {@code
     * specs} name, of their element types, each a whole number of examples, and all the same number.
     *
     * @throws IllegalArgumentException naming the input, its expected shape and what was given
     */
    public int count(List<TensorSpec> specs) {
        checkNames(specs);
        int count = -1;
        String first = null;
        for (TensorSpec spec : specs) {
            int given = length(spec);
            if (given % spec.size() != 0) {
                throw new IllegalArgumentException("input `" + spec.name() + "`: " + given
                        + " values are not a whole number of examples of " + perExample(spec));
            }
            int examples = given / spec.size();
            if (count >= 0 && examples != count) {
                throw new IllegalArgumentException("inputs hold different numbers of examples: `" + first + "` "
                        + count + ", `" + spec.name() + "` " + examples);
            }
            count = examples;
            first = spec.name();
        }
        return Math.max(count, 0);
    }

    private void checkNames(List<TensorSpec> specs) {
        // Loops rather than streams: steps call this once per batch and should not allocate.
        if (arrays.size() != specs.size()) {
            for (String name : arrays.keySet()) {
                if (!declares(specs, name)) {
                    throw new IllegalArgumentException("unknown input `" + name + "`: the network reads " + describe(specs));
                }
            }
        }
        for (int i = 0; i < specs.size(); i++) {
            TensorSpec spec = specs.get(i);
            if (!arrays.containsKey(spec.name())) {
                if (arrays.size() == specs.size()) {
                    for (String name : arrays.keySet()) {
                        if (!declares(specs, name)) {
                            throw new IllegalArgumentException("unknown input `" + name + "`: the network reads "
                                    + describe(specs));
                        }
                    }
                }
                throw new IllegalArgumentException("no array given for input `" + spec.name() + "` (" + spec.typeName()
                        + "): the network reads " + describe(specs));
            }
        }
    }

    private static boolean declares(List<TensorSpec> specs, String name) {
        for (int i = 0; i < specs.size(); i++) {
            if (specs.get(i).name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private int length(TensorSpec spec) {
        Object values = arrays.get(spec.name());
        return switch (spec.type()) {
            case FLOAT32 -> {
                if (!(values instanceof float[] f)) {
                    throw new IllegalArgumentException("input `" + spec.name() + "` is " + spec.typeName()
                            + ", but int values were given");
                }
                yield f.length;
            }
            case INT32 -> {
                if (!(values instanceof int[] i)) {
                    throw new IllegalArgumentException("input `" + spec.name() + "` is " + spec.typeName()
                            + ", but float values were given");
                }
                yield i.length;
            }
        };
    }

    /** {@code float[1, 28, 28] (784 values each)}. */
    private static String perExample(TensorSpec spec) {
        return spec.typeName() + " (" + spec.size() + (spec.size() == 1 ? " value" : " values") + " each)";
    }

    private static String describe(List<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::toString).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return arrays.entrySet().stream()
                .map(e -> e.getKey() + "=" + (e.getValue() instanceof float[] f ? "float[" + f.length + "]"
                        : "int[" + ((int[]) e.getValue()).length + "]"))
                .collect(Collectors.joining(", ", "Inputs[", "]"));
    }
}
