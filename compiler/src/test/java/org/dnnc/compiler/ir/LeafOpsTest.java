package org.dnnc.compiler.ir;

import static org.dnnc.compiler.ir.OpCase.accepts;
import static org.dnnc.compiler.ir.OpCase.rejects;

import java.util.List;
import java.util.stream.Stream;

/** Typing of inputs and parameters: their declared type, if every size is positive. */
class LeafOpsTest extends OpTypingContract {

    static Stream<OpCase> accepted() {
        return Stream.of(
                accepts(new Input("image", Types.type("f32[N,1,28,28]")), "f32[N,1,28,28]"),
                accepts(new Input("tokens", Types.type("i32[N,T]")), "i32[N,T]"),
                accepts(new Param("w", Types.type("f32[256,784]"), true, "he_normal"), "f32[256,784]"));
    }

    static Stream<OpCase> rejected() {
        TensorType zeroMax = TensorType.of(DType.I32, Dim.BATCH, new Dim.Var("T", 0));
        return Stream.of(
                rejects(new Input("x", Types.type("f32[N,0]")), "input: dimension 1 of f32[N,0] is 0; sizes must be positive"),
                new OpCase(new Input("tokens", zeroMax), List.of(), null,
                        "input: variable dimension T of i32[N,T] has maximum 0; it must be positive"),
                rejects(new Param("w", Types.type("f32[-3]"), true, "zeros"),
                        "param: dimension 0 of f32[-3] is -3; sizes must be positive"),
                rejects(new Param("w", Types.type("f32[4]"), true, "zeros"), "param: expects no operands, got 1", "f32[4]"));
    }
}
