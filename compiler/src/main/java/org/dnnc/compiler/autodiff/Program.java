package org.dnnc.compiler.autodiff;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.dnnc.compiler.ir.Graph;

/**
 * A graph ready to run: the training step (forward, loss, and the gradient of every trainable
 * parameter), evaluation (outputs and loss, without dropout) or inference (the declared outputs,
 * without dropout or loss).
 *
 * @param gradients trainable parameter name -> the node holding its gradient (empty for inference),
 *                  in the order of the parameters in the graph
 */
public record Program(Kind kind, Graph graph, Map<String, Integer> gradients) {

    /** Which of a network's programs this is. */
    public enum Kind {
        /** One optimizer step's forward and backward: the loss and every trainable parameter's gradient. */
        TRAIN,
        /** The declared outputs and the loss, without dropout, for validation. */
        EVALUATE,
        /** The declared outputs only, for predictions. */
        INFER
    }

    public Program {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(graph, "graph");
        gradients = Collections.unmodifiableMap(new LinkedHashMap<>(gradients));
    }
}
