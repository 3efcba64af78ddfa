package org.dnnc.runtime.io;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * A checkpoint's tensors matched with a network's parameters under {@link LoadOptions}: the values
 * to load, as F32, and the {@link LoadReport}. Every check (names, shapes, types, finite values) is
 * made by {@link #match} before a generated class copies anything, so a load is all or nothing.
 */
public final class MatchedWeights {
    /**
     * Prefixes of the training state dnnc writes next to the parameters; a load that does not
     * restore it skips them (see {@code TrainingState}).
     */
    static final List<String> TRAINING_STATE_PREFIXES = List.of(TrainingState.OPTIMIZER_PREFIX,
            TrainingState.STANDARDIZATION_PREFIX);
    /** Problems listed per kind before the rest are counted, so that a wholly foreign file gives a readable message. */
    private static final int LISTED = 12;

    private final Map<String, float[]> values;
    private final LoadReport report;

    private MatchedWeights(Map<String, float[]> values, LoadReport report) {
        this.values = values;
        this.report = report;
    }

    /**
     * Matches {@code checkpoint} with the parameters {@code expected} (F32, by name and shape).
     *
     * @param network the network's name, for messages
     * @throws CheckpointException naming every mis-shaped, mis-typed or non-finite tensor, and,
     *     when {@code options} are strict, every missing and unexpected one, with the closest
     *     name of the other side where one is close
     */
    public static MatchedWeights match(Checkpoint checkpoint, Map<String, TensorInfo> expected, LoadOptions options,
            String network) throws CheckpointException {
        Map<String, float[]> values = new LinkedHashMap<>();
        Map<String, String> sourceOf = new TreeMap<>();
        List<String> unexpected = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        List<String> converted = new ArrayList<>();
        List<String> mismatched = new ArrayList<>();
        for (var entry : checkpoint.tensors().entrySet()) {
            String name = entry.getKey();
            TensorData tensor = entry.getValue();
            String target = options.map(name);
            TensorInfo wanted = expected.get(target);
            if (wanted == null) {
                if (options.ignores(name) || TRAINING_STATE_PREFIXES.stream().anyMatch(name::startsWith)) {
                    ignored.add(name);
                } else {
                    unexpected.add(name);
                }
                continue;
            }
            String what = "tensor `" + name + "`" + (target.equals(name) ? "" : " (for `" + target + "`)");
            String first = sourceOf.putIfAbsent(target, name);
            if (first != null) {
                mismatched.add(what + ": `" + first + "` is loaded into `" + target + "` already; check the renaming rules");
            } else if (!tensor.dtype().isFloat()) {
                mismatched.add(what + ": expected " + wanted + ", found " + tensor.info() + " (integers)");
            } else if (!Arrays.equals(tensor.shape(), wanted.shape())) {
                mismatched.add(what + ": expected shape " + Arrays.toString(wanted.shape()) + ", found "
                        + Arrays.toString(tensor.shape()) + transposedHint(wanted.shape(), tensor.shape()));
            } else {
                int bad = tensor.firstNonFinite();
                if (bad >= 0) {
                    mismatched.add(what + " holds " + tensor.valueAt(bad) + " at index " + bad
                            + "; the run that wrote it probably diverged");
                } else {
                    values.put(target, tensor.toFloats());
                    if (tensor.dtype() != DType.F32) {
                        converted.add(target + " (" + tensor.dtype() + ")");
                    }
                }
            }
        }
        List<String> missing = expected.keySet().stream().filter(n -> !sourceOf.containsKey(n)).toList();
        List<String> problems = new ArrayList<>(mismatched);
        if (options.strict()) {
            List<String> unexpectedTargets = unexpected.stream().map(options::map).toList();
            listed(problems, missing.stream().map(n -> "missing tensor `" + n + "` (" + expected.get(n) + ")"
                    + suggest(n, unexpectedTargets, unexpected)).toList());
            listed(problems, unexpected.stream().map(n -> "unexpected tensor `" + n + "` ("
                    + checkpoint.tensors().get(n).info() + ")" + (options.map(n).equals(n) ? "" : " renamed `"
                    + options.map(n) + "`") + suggest(options.map(n), missing, missing)).toList());
        }
        if (!problems.isEmpty()) {
            String hint = options.strict() && (!missing.isEmpty() || !unexpected.isEmpty())
                    ? "\n(map the file's names to the network's with renaming rules, `map:` in load_weights or"
                            + " LoadOptions.rename in Java, or load what matches with strict false)"
                    : "";
            throw new CheckpointException(checkpoint.file(), "does not fit network " + network + ":\n  "
                    + String.join("\n  ", problems) + hint);
        }
        List<String> loaded = expected.keySet().stream().filter(values::containsKey).toList();
        converted.sort(null);
        return new MatchedWeights(values, new LoadReport(checkpoint.file(), loaded, missing, unexpected, ignored,
                converted, false, Optional.empty()));
    }

    /** Hands the values of parameter {@code name} to {@code into}, if the file held it. */
    public void copy(String name, Consumer<float[]> into) {
        float[] v = values.get(name);
        if (v != null) {
            into.accept(v);
        }
    }

    public LoadReport report() {
        return report;
    }

    /**
     * " (did you mean `x`?)" with the closest of {@code names} to {@code name}; {@code shown}
     * holds what to print for each (the file's name of a renamed tensor).
     */
    private static String suggest(String name, List<String> names, List<String> shown) {
        Optional<String> close = NameSuggestions.closest(name, names);
        return close.map(c -> "; did you mean `" + shown.get(names.indexOf(c)) + "`?").orElse("");
    }

    private static String transposedHint(int[] expected, int[] found) {
        return expected.length == 2 && found.length == 2 && expected[0] == found[1] && expected[1] == found[0]
                ? " (transposed? dense weights are [out, in], as in PyTorch)" : "";
    }

    private static void listed(List<String> problems, List<String> lines) {
        problems.addAll(lines.subList(0, Math.min(LISTED, lines.size())));
        if (lines.size() > LISTED) {
            problems.add("... and " + (lines.size() - LISTED) + " more like the above");
        }
    }
}
