package org.dnnc.runtime.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.dnnc.runtime.ElementType;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.TensorSpec;
import org.dnnc.runtime.data.Column;
import org.dnnc.runtime.data.ColumnBinding;
import org.dnnc.runtime.data.Dataset;

/**
 * Which column of a data set each input and target of a network reads, checked before any step so
 * that mistakes surface as messages rather than as index errors in generated code.
 *
 * <p>An input reads the column of its own name. Failing that, it reads the column with the role it
 * plays: the only float input of a network reads the data set's features, an int target its class
 * labels, a float target its regression targets. So {@code Dataset.of(pixels, shape, labels)} feeds
 * any classifier with one image input, whatever its input is called.
 */
final class Feed {
    private final List<TensorSpec> specs;
    private final ColumnBinding binding;

    private Feed(List<TensorSpec> specs, ColumnBinding binding) {
        this.specs = specs;
        this.binding = binding;
    }

    /**
     * @param role what the data is for, to start messages: "the training data", "the validation data"
     * @throws IllegalArgumentException naming the input and the expected and actual shape or kind
     */
    static Feed of(TrainableNetwork net, Dataset data, String role) {
        if (data.size() == 0) {
            throw new IllegalArgumentException(role + " has no examples");
        }
        List<TensorSpec> inputs = net.inputs();
        List<TensorSpec> targets = net.targets();
        List<TensorSpec> specs = new ArrayList<>(inputs);
        specs.addAll(targets);
        long floatInputs = inputs.stream().filter(s -> s.type() == ElementType.FLOAT32).count();
        Map<String, Column> binding = new LinkedHashMap<>();
        for (TensorSpec spec : specs) {
            Column column;
            if (data.hasColumn(spec.name())) {
                column = data.column(spec.name());
                checkNamed(net, spec, column, role, data);
            } else if (inputs.contains(spec)) {
                column = byRole(data.featureColumn(), spec, floatInputs == 1 && spec.type() == ElementType.FLOAT32,
                        net, data, role);
                checkFeatures(net, spec, column, role);
            } else if (spec.type() == ElementType.INT32) {
                column = data.labelColumn().orElse(null);
                if (column == null || net.targetKind() != TargetKind.LABELS) {
                    if (data.targetColumn().isPresent() && net.targetKind() == TargetKind.LABELS) {
                        throw new IllegalArgumentException(role + " has float targets of shape "
                                + Arrays.toString(data.targetShape()) + ", but network " + net.name()
                                + " is trained on class labels");
                    }
                    throw missing(net, spec, data, role);
                }
            } else {
                column = data.targetColumn().orElse(null);
                if (column == null) {
                    if (data.hasLabels()) {
                        throw new IllegalArgumentException(role + " has class labels, but network " + net.name()
                                + " is trained on float targets of shape " + Arrays.toString(spec.shape()));
                    }
                    throw missing(net, spec, data, role);
                }
                if (!Arrays.equals(column.shape(), spec.shape())) {
                    throw new IllegalArgumentException(role + " has targets of shape "
                            + Arrays.toString(column.shape()) + ", but network " + net.name()
                            + " predicts targets of shape " + Arrays.toString(spec.shape()));
                }
            }
            binding.put(spec.name(), column);
        }
        checkValues(net, binding, role);
        return new Feed(List.copyOf(specs), ColumnBinding.of(binding));
    }

    /** NaN or infinite floats, and labels that are no class of the network, named by example index. */
    private static void checkValues(TrainableNetwork net, Map<String, Column> binding, String role) {
        List<TensorSpec> targets = net.targets();
        for (Map.Entry<String, Column> e : binding.entrySet()) {
            Column column = e.getValue();
            int[] bad = column.firstNonFinite();
            if (bad != null) {
                throw new IllegalArgumentException(role + "'s column `" + column.name() + "` holds "
                        + column.value(bad[0], bad[1]) + " at example " + bad[0]
                        + (column.size() == 1 ? "" : " (value " + bad[1] + " of " + column.size() + ")")
                        + ": inputs and targets must be finite numbers");
            }
            boolean labels = net.targetKind() == TargetKind.LABELS && net.classes() > 0
                    && targets.stream().anyMatch(t -> t.name().equals(e.getKey()) && t.type() == ElementType.INT32);
            int example = labels ? column.firstOutside(net.classes()) : -1;
            if (example >= 0) {
                throw new IllegalArgumentException(role + "'s label " + column.value(example, 0) + " at example "
                        + example + " (column `" + column.name() + "`) is not a class of network " + net.name()
                        + ", which has " + net.classes() + " classes (0 to " + (net.classes() - 1) + ")");
            }
        }
    }

    private static Column byRole(Optional<Column> column, TensorSpec spec, boolean applies, TrainableNetwork net,
            Dataset data, String role) {
        if (!applies || column.isEmpty()) {
            throw missing(net, spec, data, role);
        }
        return column.get();
    }

    private static void checkFeatures(TrainableNetwork net, TensorSpec spec, Column column, String role) {
        int[] expected = spec.shape();
        int[] actual = column.shape();
        if (!Arrays.equals(expected, actual)) {
            String hint = spec.size() == column.size()
                    ? " (the same " + column.size() + " values: view them with dataset.reshape("
                            + Arrays.toString(expected).replaceAll("[\\[\\]]", "") + "))"
                    : "";
            throw new IllegalArgumentException(role + " has examples of shape " + Arrays.toString(actual)
                    + ", but network " + net.name() + " takes inputs of shape " + Arrays.toString(expected) + hint);
        }
    }

    private static void checkNamed(TrainableNetwork net, TensorSpec spec, Column column, String role, Dataset data) {
        if (column.type() != spec.type() || !Arrays.equals(column.shape(), spec.shape())) {
            if (data.featureColumn().orElse(null) == column && column.type() == spec.type()) {
                checkFeatures(net, spec, column, role);
            }
            throw new IllegalArgumentException(role + "'s column " + column + " does not fit network " + net.name()
                    + "'s input " + spec);
        }
    }

    private static IllegalArgumentException missing(TrainableNetwork net, TensorSpec spec, Dataset data, String role) {
        return new IllegalArgumentException(role + " has no column for network " + net.name() + "'s input " + spec
                + "; its columns are " + data.columns().stream().map(Column::toString)
                        .collect(Collectors.joining(", ")));
    }

    /** The inputs and targets a step reads, in declaration order. */
    List<TensorSpec> specs() {
        return specs;
    }

    /** Input or target name to the column it reads, in the order of {@link #specs}. */
    ColumnBinding binding() {
        return binding;
    }

    /** Arrays for {@code capacity} examples of every input and target, to fill batch after batch. */
    Inputs newBuffers(int capacity) {
        Inputs buffers = new Inputs();
        for (TensorSpec spec : specs) {
            int length = Math.multiplyExact(capacity, spec.size());
            if (spec.type() == ElementType.FLOAT32) {
                buffers.and(spec.name(), new float[length]);
            } else {
                buffers.and(spec.name(), new int[length]);
            }
        }
        return buffers;
    }
}
