package org.dnnc.compiler.ir;

import java.util.List;
import java.util.stream.Stream;

/**
 * Every typing case of every op, gathered in one place: the ops of the accepted cases are the
 * samples that tests outside this package use to ask each kind of op about its properties.
 */
public final class OpSamples {
    private OpSamples() {}

    static Stream<OpCase> accepted() {
        return Stream.of(LeafOpsTest.accepted(), LayerOpsTest.accepted(), ElementwiseOpsTest.accepted(),
                        NormalizationOpsTest.accepted(), SequenceOpsTest.accepted(), LossOpsTest.accepted(),
                        GradientOpsTest.accepted(), FusedOpsTest.accepted())
                .flatMap(s -> s);
    }

    static Stream<OpCase> rejected() {
        return Stream.of(LeafOpsTest.rejected(), LayerOpsTest.rejected(), ElementwiseOpsTest.rejected(),
                        NormalizationOpsTest.rejected(), SequenceOpsTest.rejected(), LossOpsTest.rejected(),
                        GradientOpsTest.rejected(), FusedOpsTest.rejected())
                .flatMap(s -> s);
    }

    /** Well-typed ops: at least one of every kind, as {@link OpCoverageTest} checks. */
    public static List<Op> ops() {
        return accepted().map(OpCase::op).toList();
    }
}
