package org.dnnc.compiler.sema;

import static com.google.common.truth.Truth.assertThat;

import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.LogSoftmax;
import org.dnnc.compiler.ir.Softmax;
import org.junit.jupiter.api.Test;

/** Pointwise activations keep their input's shape and own no parameters; softmax normalises one axis. */
class ActivationShapesTest extends ShapeTestSupport {

    @Test
    @Covers({"relu", "leaky_relu", "elu", "sigmoid", "tanh", "identity"})
    void pointwiseActivationsKeepTheShapeOfImagesVectorsAndSequences() {
        for (String act : new String[] {"relu", "leaky_relu", "elu", "sigmoid", "tanh", "identity"}) {
            NetworkModel m = compileOk("""
                    network N {
                        input image: float[3, 7, 9];
                        input vec: float[5];
                        input seq: float[T <= 20, 4];
                        output a = image -> %1$s;
                        output b = vec -> %1$s;
                        output c = %1$s(seq);
                    }
                    """.formatted(act));
            assertThat(type(m, "a")).isEqualTo("f32[N,3,7,9]");
            assertThat(type(m, "b")).isEqualTo("f32[N,5]");
            assertThat(type(m, "c")).isEqualTo("f32[N,T,4]");
            assertThat(params(m)).isEmpty();
            assertThat(ops(m)).containsExactly(act, act, act);
        }
    }

    @Test
    @Covers({"leaky_relu", "elu"})
    void activationArgumentsAndDefaults() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[5];
                    output a = x -> leaky_relu;
                    output b = x -> leaky_relu(alpha: 0.2);
                    output c = x -> elu;
                    output d = x -> elu(0.5);
                }
                """);
        assertThat(((Activation) op(m, "a")).alpha()).isEqualTo(0.01);
        assertThat(((Activation) op(m, "b")).alpha()).isEqualTo(0.2);
        assertThat(((Activation) op(m, "c")).alpha()).isEqualTo(1.0);
        assertThat(((Activation) op(m, "d")).alpha()).isEqualTo(0.5);
    }

    @Test
    @Covers({"softmax", "log_softmax"})
    void softmaxNormalisesTheLastAxisUnlessTold() {
        NetworkModel m = compileOk("""
                network N {
                    input logits: float[10];
                    input seq: float[T <= 20, 5];
                    output p = softmax(logits);
                    output lp = logits -> log_softmax;
                    output features = seq -> softmax;
                    output overTime = seq -> softmax(axis: 0);
                    output lpTime = seq -> log_softmax(axis: -2);
                }
                """);
        assertThat(type(m, "p")).isEqualTo("f32[N,10]");
        assertThat(type(m, "lp")).isEqualTo("f32[N,10]");
        assertThat(type(m, "features")).isEqualTo("f32[N,T,5]");
        assertThat(type(m, "overTime")).isEqualTo("f32[N,T,5]");
        // Per-example axes count without the batch: the IR axis is one more.
        assertThat(((Softmax) op(m, "p")).axis()).isEqualTo(1);
        assertThat(((Softmax) op(m, "features")).axis()).isEqualTo(2);
        assertThat(((Softmax) op(m, "overTime")).axis()).isEqualTo(1);
        assertThat(((LogSoftmax) op(m, "lpTime")).axis()).isEqualTo(1);
        assertThat(params(m)).isEmpty();
    }

    @Test
    void softmaxAxisOutOfRange() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[5];
                    output y = x -> softmax(axis: 1);
                }
                """, "`softmax`: axis 1 is out of range for a value of shape [5] per example", 3, 21);
        assertThat(notes(d)).containsExactly("2:11 this f32[N,5] comes from input `x`");
    }

    @Test
    void activationOfIntegers() {
        assertError("""
                network N {
                    input label: int;
                    output y = label -> relu;
                }
                """, "`relu` needs values of floats, got i32[N] from input `label`", 3, 25);
    }

    @Test
    void negativeAlpha() {
        assertError("""
                network N {
                    input x: float[5];
                    output y = x -> leaky_relu(alpha: -0.1);
                }
                """, "argument `alpha` of `leaky_relu` must be a number >= 0, got a number (-0.1)", 3, 39);
    }
}
