package org.dnnc.compiler.sema;

import static com.google.common.truth.Truth.assertThat;

import org.dnnc.compiler.diag.Diagnostic;
import org.junit.jupiter.api.Test;

/**
 * Tensors past what generated code can count ({@link Integer#MAX_VALUE} elements) are errors at the
 * layer or input that makes them: parameters by their own size, values and inputs per example and
 * at the batch the network is planned for.
 */
class TensorLimitsTest extends ShapeTestSupport {

    @Test
    void aWeightPastTheLimitIsAnErrorAtItsLayer() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[784];
                    output y = x -> dense(2147483647);
                }
                """, "`dense` would make a `weight` of 2147483647 × 784 = 1,683,627,179,248 elements; a tensor holds at"
                + " most 2,147,483,647", 3, 21);
        assertThat(d.hints()).containsExactly("make the layer or its input smaller");
    }

    @Test
    void recurrentWeightsAreCheckedToo() {
        assertError("""
                network N {
                    input x: float[T <= 2, 16777216];
                    output y = x -> lstm(200);
                }
                """, "`lstm` would make a `weight_ih_l0` of 800 × 16777216 = 13,421,772,800 elements; a tensor holds"
                + " at most 2,147,483,647", 3, 21);
    }

    @Test
    void aValuePastTheLimitPerExampleIsAnErrorAtItsLayer() {
        assertError("""
                network N {
                    input x: float[2];
                    output y = x -> repeat(2147483647);
                }
                """, "`repeat` would make a value of 2147483647 × 2 = 4,294,967,294 elements per example; a tensor"
                + " holds at most 2,147,483,647", 3, 21);
    }

    @Test
    void valuesAreCheckedAtThePlannedBatch() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[1];
                    output y = x -> dense(67108864);
                }
                """, "`dense` would make a value of 67,108,864 elements per example, 2,147,483,648 for a batch of 32;"
                + " a tensor holds at most 2,147,483,647", 3, 21);
        // Without a train section the batch is the default, which only a train section could lower.
        assertThat(d.hints()).containsExactly("at most 31 examples of this size fit in one tensor: make the layer or"
                + " its input smaller");
    }

    @Test
    void theLargestValueThatFitsAtThePlannedBatchCompiles() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[1];
                    output y = x -> dense(67108863);
                }
                """);
        assertThat(type(m, "y")).isEqualTo("f32[N,67108863]");
    }

    @Test
    void aSmallerBatchLetsALargerValueFit() {
        // 16 x 100,000,000 elements fit; the default batch of 32 would not.
        NetworkModel m = compileOk("""
                network N {
                    input x: float[1];
                    input label: int;
                    logits = x -> dense(100000000);
                    output p = logits;
                    train {
                        loss  = cross_entropy(logits, label);
                        batch = 16;
                    }
                }
                """);
        assertThat(type(m, "p")).isEqualTo("f32[N,100000000]");
    }
}
