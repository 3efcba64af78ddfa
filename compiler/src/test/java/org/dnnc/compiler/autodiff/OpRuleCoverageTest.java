package org.dnnc.compiler.autodiff;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.util.List;
import java.util.Set;
import org.dnnc.compiler.ir.AttentionWeights;
import org.dnnc.compiler.ir.Differentiability;
import org.dnnc.compiler.ir.Input;
import org.dnnc.compiler.ir.MatMul;
import org.dnnc.compiler.ir.MatMulGradInput;
import org.dnnc.compiler.ir.OpSamples;
import org.dnnc.compiler.testing.OpTable;
import org.dnnc.compiler.testing.OpTable.Column;
import org.junit.jupiter.api.Test;

/**
 * Every kind of op has its gradient rule and its rule in the reference interpreter, or is listed,
 * in one place each, as not done yet; so a new op cannot be missed until a network uses it.
 */
class OpRuleCoverageTest {

    /** Differentiable ops need a gradient rule. */
    private static final Column GRADIENT = new Column("gradient rule in GradientRules",
            op -> op.differentiability() == Differentiability.DIFFERENTIABLE, GradientRules::hasRule,
            GradientRules.NOT_DIFFERENTIABLE_YET);

    /** Every op that can be in a program needs evaluating; lowered ops (dropout) never are. */
    private static final Column INTERPRETER = new Column("rule in the test Interpreter",
            op -> op.differentiability() != Differentiability.LOWERED, Interpreter::hasRule,
            Interpreter.NOT_INTERPRETED_YET);

    @Test
    void everyOpHasItsRules() {
        List<String> holes = OpTable.holes(OpTable.allOps(), OpSamples.ops(), List.of(GRADIENT, INTERPRETER));
        assertWithMessage(OpTable.describe(holes)).that(holes).isEmpty();
    }

    @Test
    void namesAnOpWithoutItsRule() {
        var unlisted = new Column("gradient rule", GRADIENT.needs(), GRADIENT.has(), Set.of());
        List<String> holes = OpTable.holes(List.of(Input.class, MatMul.class, AttentionWeights.class), OpSamples.ops(),
                List.of(unlisted));
        assertThat(holes).containsExactly(
                "gradient rule missing for AttentionWeights: add one, or list AttentionWeights as not done yet");
    }

    @Test
    void namesAnOpListedAsNotDoneThatIsDone() {
        var stale = new Column("gradient rule", GRADIENT.needs(), GRADIENT.has(), Set.of(MatMul.class));
        assertThat(OpTable.holes(List.of(MatMul.class), OpSamples.ops(), List.of(stale))).containsExactly(
                "gradient rule present for MatMul, which is still listed as not done yet");
    }

    @Test
    void namesAnOpWithARuleItDoesNotNeed() {
        var everything = new Column("gradient rule", GRADIENT.needs(), type -> true, Set.of());
        assertThat(OpTable.holes(List.of(MatMulGradInput.class), OpSamples.ops(), List.of(everything))).containsExactly(
                "gradient rule present for MatMulGradInput, which does not need one");
    }

    @Test
    void namesAnOpWithoutASample() {
        assertThat(OpTable.holes(List.of(MatMul.class), List.of(), List.of(GRADIENT))).containsExactly(
                "gradient rule in GradientRules: no sample MatMul to ask whether it needs one");
    }
}
