package org.dnnc.compiler.ir;

import java.util.Arrays;
import java.util.List;

/** A typing case: an op, its operand types, and either the result type or the error message. */
record OpCase(Op op, List<TensorType> operands, TensorType result, String message) {

    static OpCase accepts(Op op, String result, String... operands) {
        return new OpCase(op, types(operands), Types.type(result), null);
    }

    static OpCase rejects(Op op, String message, String... operands) {
        return new OpCase(op, types(operands), null, message);
    }

    private static List<TensorType> types(String... operands) {
        return Arrays.stream(operands).map(Types::type).toList();
    }

    @Override
    public String toString() {
        return op + " " + operands;
    }
}
