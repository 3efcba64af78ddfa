package org.dnnc.compiler.sema;

import static com.google.common.truth.Truth.assertThat;

import java.util.List;
import java.util.OptionalInt;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.ir.CrossEntropy;
import org.junit.jupiter.api.Test;

/**
 * Losses take a prediction and a target and give a scalar, {@code f32[]}, the mean over the batch;
 * the train section's loss becomes the graph's output {@code loss}.
 */
class LossShapesTest extends ShapeTestSupport {

    @Test
    @Covers("cross_entropy")
    void crossEntropyOfLogitsAndClassLabels() {
        NetworkModel m = compileClean("""
                network N {
                    input x: float[20];
                    input label: int;
                    logits = x -> dense(10);
                    output probs = softmax(logits);
                    train {
                        loss = cross_entropy(logits, label);
                    }
                }
                """);
        assertThat(type(m, "loss")).isEqualTo("f32[]");
        assertThat(type(m, "probs")).isEqualTo("f32[N,10]");
        assertThat(m.graph().outputs().keySet()).containsExactly("probs", "loss").inOrder();
        assertThat(ops(m)).containsExactly("matmul", "bias_add", "softmax", "cross_entropy").inOrder();
    }

    @Test
    @Covers("cross_entropy")
    void crossEntropyAsAChainStage() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[20];
                    input label: int;
                    output logits = x -> dense(10);
                    train {
                        loss = logits -> cross_entropy(label);
                    }
                }
                """);
        assertThat(type(m, "loss")).isEqualTo("f32[]");
    }

    @Test
    @Covers("cross_entropy")
    void crossEntropyThatIgnoresPadding() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[T <= 9, 3];
                    input tags: int[T <= 9];
                    output logits = x -> dense(5);
                    train {
                        loss = cross_entropy(logits, tags, ignore: -100);
                    }
                }
                """);
        assertThat(op(m, "loss")).isEqualTo(new CrossEntropy(OptionalInt.of(-100)));
    }

    @Test
    void crossEntropyIgnoringANonInteger() {
        assertError("""
                network N {
                    input x: float[3];
                    input label: int;
                    output logits = x -> dense(5);
                    train {
                        loss = cross_entropy(logits, label, ignore: 0.5);
                    }
                }
                """, "argument `ignore` of `cross_entropy` must be an integer, got a number (0.5)", 6, 53);
    }

    @Test
    @Covers({"mse", "sigmoid", "reshape"})
    void meanSquaredErrorOfAReconstruction() {
        NetworkModel m = compileOk("""
                network N {
                    input image: float[1, 28, 28];
                    output code = image -> flatten -> dense(32);
                    output reconstruction = code -> dense(784) -> sigmoid -> reshape([1, 28, 28]);
                    train {
                        loss = mse(reconstruction, image);
                    }
                }
                """);
        assertThat(type(m, "reconstruction")).isEqualTo("f32[N,1,28,28]");
        assertThat(type(m, "loss")).isEqualTo("f32[]");
    }

    @Test
    @Covers("bce_with_logits")
    void binaryCrossEntropyOfLogitsAndFloatTargets() {
        NetworkModel m = compileClean("""
                network N {
                    input x: float[8];
                    input tags: float[3];
                    output logits = x -> dense(3);
                    train {
                        loss = bce_with_logits(logits, tags);
                    }
                }
                """);
        assertThat(type(m, "loss")).isEqualTo("f32[]");
    }

    @Test
    @Covers({"mse", "bce_with_logits"})
    void lossesCombineAsScalars() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[8];
                    input t: float[3];
                    output a = x -> dense(3);
                    output b = x -> dense(3);
                    output partial = mse(a, t);
                    train {
                        loss = mse(a, t) + 0.5 * bce_with_logits(b, t);
                    }
                }
                """);
        assertThat(type(m, "partial")).isEqualTo("f32[]");
        assertThat(type(m, "loss")).isEqualTo("f32[]");
    }

    // ---- errors and warnings -------------------------------------------------------------------

    @Test
    void crossEntropyWithAFloatLabel() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[4];
                    input l: float;
                    output y = x -> dense(3);
                    train {
                        loss = cross_entropy(y, l);
                    }
                }
                """, "`cross_entropy` needs an integer class label per example as its target (i32[N]), got f32[N] "
                + "from input `l`", 6, 16);
        assertThat(d.hints()).containsExactly(
                "declare the label as `input label: int;`; for float targets use `mse` or `bce_with_logits`");
        assertThat(notes(d)).containsExactly("3:11 this f32[N] comes from input `l`");
    }

    @Test
    void crossEntropyOfImageLogits() {
        assertError("""
                network N {
                    input x: float[1, 4, 4];
                    input l: int;
                    train {
                        loss = cross_entropy(x, l);
                    }
                }
                """, "`cross_entropy` needs logits [classes] per example, or [steps, classes] for a label per step, "
                + "got [1,4,4] (f32[N,1,4,4]) from input `x`", 5, 16);
    }

    @Test
    void crossEntropyWithALabelPerStep() {
        NetworkModel m = compileClean("""
                network N {
                    input ids: int[6];
                    input next: int[6];
                    logits = ids -> embedding(vocab: 9, dim: 4) -> dense(9);
                    train {
                        loss = cross_entropy(logits, next);
                    }
                }
                """);
        assertThat(type(m, "loss")).isEqualTo("f32[]");
    }

    @Test
    void crossEntropyPerStepNeedsALabelPerStep() {
        Diagnostic d = assertError("""
                network N {
                    input ids: int[6];
                    input next: int[5];
                    logits = ids -> embedding(vocab: 9, dim: 4) -> dense(9);
                    train {
                        loss = cross_entropy(logits, next);
                    }
                }
                """, "`cross_entropy` over f32[N,6,9] needs an integer class label per step as its target (i32[N,6]), "
                + "got i32[N,5] from input `next`", 6, 16);
        assertThat(d.hints()).containsExactly("declare the labels as `input next: int[6];`");
    }

    @Test
    void meanSquaredErrorOfDifferentShapes() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[4];
                    input t: float[2];
                    output y = x -> dense(3);
                    train {
                        loss = mse(y, t);
                    }
                }
                """, "`mse` needs the prediction and the target to have the same shape, got f32[N,3] from `dense` "
                + "and f32[N,2] from input `t`", 6, 16);
        assertThat(notes(d)).containsExactly("4:21 this f32[N,3] comes from `dense`", "3:11 this f32[N,2] comes from input `t`")
                .inOrder();
    }

    @Test
    void binaryCrossEntropyWithIntegerTargets() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[4];
                    input t: int[3];
                    output y = x -> dense(3);
                    train {
                        loss = bce_with_logits(y, t);
                    }
                }
                """, "`bce_with_logits` needs a float target, got i32[N,3] from input `t`", 6, 16);
        assertThat(d.hints()).containsExactly("for integer class labels use `cross_entropy`");
    }

    @Test
    void lossThatIsNotAScalar() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[4];
                    output y = x -> dense(2);
                    train {
                        loss = y;
                    }
                }
                """, "`loss` must be a scalar loss, got a tensor f32[N,2]", 5, 16);
        assertThat(d.hints()).hasSize(1);
    }

    @Test
    void lossWithOneInput() {
        assertError("""
                network N {
                    input x: float[4];
                    output y = x -> dense(2);
                    train {
                        loss = y -> mse;
                    }
                }
                """, "`mse` takes 2 inputs, got 1 (write `a -> mse(b)` or `mse(a, b)`)", 5, 21);
    }

    @Test
    void crossEntropyAfterSoftmaxWarns() {
        Compilation c = compile("""
                network N {
                    input x: float[4];
                    input l: int;
                    output p = x -> dense(3) -> softmax;
                    train {
                        loss = cross_entropy(p, l);
                    }
                }
                """);
        assertThat(errors(c)).isEmpty();
        List<Diagnostic> w = warnings(c);
        assertThat(w).hasSize(1);
        assertAt(w.get(0), "`cross_entropy` applies softmax itself, but its input already went through `softmax`", 6, 16);
    }

    @Test
    void binaryCrossEntropyAfterSigmoidWarns() {
        Compilation c = compile("""
                network N {
                    input x: float[4];
                    input t: float[3];
                    output p = x -> dense(3) -> sigmoid;
                    train {
                        loss = bce_with_logits(p, t);
                    }
                }
                """);
        assertThat(errors(c)).isEmpty();
        assertThat(warnings(c).stream().map(Diagnostic::message).toList())
                .containsExactly("`bce_with_logits` applies the sigmoid itself, but its input already went through `sigmoid`");
    }

    /** The training loss is the graph's output `loss`: an output of that name used to crash the compiler. */
    @Test
    void outputNamedLoss() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[4];
                    input t: float[3];
                    output loss = x -> dense(3);
                    train {
                        loss = mse(loss, t);
                    }
                }
                """, "output `loss` has the name of the training loss", 4, 12);
        assertThat(notes(d)).containsExactly("6:9 the training loss is set here");
        assertThat(d.hints()).containsExactly("rename the output");
    }

    /** A value named `loss` computes its layers under the same names as the loss's own layers would be. */
    @Test
    void valueNamedLossAndALossWithLayers() {
        Compilation c = compile("""
                network N {
                    input x: float[4];
                    input t: float[3];
                    loss = x -> dense(3);
                    output y = loss;
                    train {
                        loss = mse(x -> dense(3), t);
                    }
                }
                """);
        // No crash; either the parameters get distinct names or the clash is reported.
        if (c.hasErrors()) {
            assertThat(errors(c)).hasSize(1);
            assertThat(errors(c).get(0).span().line()).isEqualTo(7);
        } else {
            assertThat(params(c.networks().get(0)).keySet()).hasSize(4);
        }
    }

    @Test
    @Covers({"cross_entropy", "dense"})
    void aValueNamedLossThatIsTheLoss() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[4];
                    input l: int;
                    logits = x -> dense(3);
                    loss = cross_entropy(logits, l);
                    train {
                        loss = loss;
                    }
                }
                """);
        assertThat(type(m, "loss")).isEqualTo("f32[]");
    }
}
