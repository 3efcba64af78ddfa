package org.dnnc.compiler.ir;

import static com.google.common.truth.Truth.assertWithMessage;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What each op says about itself holds on its well-typed cases: passes trust these properties to
 * fuse, run in place and alias, so a wrong claim would corrupt memory rather than fail to compile.
 */
class OpPropertiesTest {

    @Test
    void elementwiseOpsHaveOperandsOfTheResultType() {
        OpSamples.accepted().filter(c -> c.op().elementwise()).forEach(c -> {
            for (TensorType operand : c.operands()) {
                assertWithMessage("%s claims to be element-wise", c).that(operand).isEqualTo(c.result());
            }
        });
    }

    @Test
    void inPlaceOpsHaveAnOperandOfTheResultType() {
        OpSamples.accepted().filter(c -> c.op().inPlaceCapable()).forEach(c ->
                assertWithMessage("%s claims to run in place", c).that(c.operands()).contains(c.result()));
    }

    @Test
    void viewsKeepTheElementTypeAndTheCountPerExample() {
        OpSamples.accepted().filter(c -> c.op().viewOnly()).forEach(c -> {
            TensorType x = c.operands().get(0);
            assertWithMessage("%s claims to be a view", c).that(c.operands()).hasSize(1);
            assertWithMessage("%s claims to be a view", c).that(c.result().dtype()).isEqualTo(x.dtype());
            assertWithMessage("%s claims to be a view", c).that(c.result().dim(0)).isEqualTo(x.dim(0));
            assertWithMessage("%s claims to be a view", c).that(perExample(c.result())).isEqualTo(perExample(x));
        });
    }

    @Test
    void onlyOpsWithOperandsAreDifferentiated() {
        OpSamples.accepted().filter(c -> c.op().differentiability() == Differentiability.DIFFERENTIABLE).forEach(c ->
                assertWithMessage("%s claims to be differentiable", c).that(c.operands()).isNotEmpty());
        OpSamples.accepted().filter(c -> c.op().differentiability() == Differentiability.LEAF).forEach(c ->
                assertWithMessage("%s claims to be a leaf", c).that(c.operands()).isEmpty());
    }

    private static long perExample(TensorType t) {
        List<Dim> dims = t.dims().subList(1, t.rank());
        return dims.stream().mapToLong(Dim::bound).reduce(1, (a, b) -> a * b);
    }
}
