package org.dnnc.compiler.ir;

import static org.dnnc.compiler.ir.OpCase.accepts;
import static org.dnnc.compiler.ir.OpCase.rejects;

import java.util.stream.Stream;

/** Typing of the losses, which reduce to an f32 scalar. */
class LossOpsTest extends OpTypingContract {

    static Stream<OpCase> accepted() {
        return Stream.of(
                accepts(new CrossEntropy(), "f32[]", "f32[N,10]", "i32[N]"),
                accepts(new CrossEntropy(), "f32[]", "f32[N,T,10]", "i32[N,T]"),
                accepts(new MseLoss(), "f32[]", "f32[N,1]", "f32[N,1]"),
                accepts(new BceWithLogits(), "f32[]", "f32[N,T,1]", "f32[N,T,1]"));
    }

    static Stream<OpCase> rejected() {
        return Stream.of(
                rejects(new CrossEntropy(), "cross_entropy: labels should be i32[N], got f32[N]", "f32[N,10]", "f32[N]"),
                rejects(new CrossEntropy(), "cross_entropy: labels should be i32[N], got i32[N,10]", "f32[N,10]", "i32[N,10]"),
                rejects(new CrossEntropy(), "cross_entropy: labels should be i32[N,T], got i32[N]", "f32[N,T,10]", "i32[N]"),
                rejects(new CrossEntropy(), "cross_entropy: logits must be [N,C] or [N,...,C], got f32[N]", "f32[N]", "i32[N]"),
                rejects(new MseLoss(), "mse: shapes differ: f32[N,10] vs f32[N,1]", "f32[N,10]", "f32[N,1]"),
                rejects(new MseLoss(), "mse: predictions must be f32, got i32[N]", "i32[N]", "i32[N]"),
                rejects(new BceWithLogits(), "bce_with_logits: targets must be f32, got i32[N,1]", "f32[N,1]", "i32[N,1]"),
                rejects(new BceWithLogits(), "bce_with_logits: shapes differ: f32[N,1] vs f32[N,2]", "f32[N,1]", "f32[N,2]"));
    }
}
