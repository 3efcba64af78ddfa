package org.dnnc.compiler.ir;

import java.util.List;
import java.util.Objects;

/**
 * One SSA value: the op applied to the values of earlier nodes, with the type it produces.
 *
 * @param inputs the ids of the operand nodes, in operand order
 */
public record Node(int id, Op op, List<Integer> inputs, TensorType type, Origin origin) {

    public Node {
        Objects.requireNonNull(op, "op");
        inputs = List.copyOf(inputs);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(origin, "origin");
    }
}
