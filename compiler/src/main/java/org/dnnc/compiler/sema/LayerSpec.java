package org.dnnc.compiler.sema;

import java.util.List;

/**
 * A layer or loss: how many tensor inputs it takes (the chain input counts as the first), its
 * arguments, and the rule that checks shapes and emits IR for one application.
 */
public record LayerSpec(
        String name,
        Category category,
        int minInputs,
        int maxInputs,
        List<ParamSpec> params,
        String summary,
        LayerRule rule) implements RegistryEntry {

    public LayerSpec {
        params = List.copyOf(params);
    }

    /** Emits the IR of one application of the layer, or reports why it cannot. */
    @FunctionalInterface
    public interface LayerRule {
        Val.Tensor apply(LayerCall call) throws LayerCall.LayerException;
    }

    /** "1 input", "2 inputs", "2 or more inputs". */
    public String arityText() {
        if (maxInputs == Integer.MAX_VALUE) {
            return minInputs + " or more inputs";
        }
        if (minInputs == maxInputs) {
            return minInputs + (minInputs == 1 ? " input" : " inputs");
        }
        return minInputs + " to " + maxInputs + " inputs";
    }
}
