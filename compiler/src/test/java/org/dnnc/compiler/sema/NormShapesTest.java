package org.dnnc.compiler.sema;

import static com.google.common.truth.Truth.assertThat;

import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.LayerNorm;
import org.junit.jupiter.api.Test;

/**
 * Batch normalization (per channel: gamma, beta, and the running mean and variance as buffers) and
 * layer normalization (per feature of the last axis), with PyTorch's names and defaults.
 */
class NormShapesTest extends ShapeTestSupport {

    @Test
    @Covers("batchnorm")
    void batchnormOverImageChannels() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[16, 28, 28];
                    output y = x -> batchnorm;
                }
                """);
        assertThat(type(m, "y")).isEqualTo("f32[N,16,28,28]");
        assertThat(params(m)).containsExactly(
                "y.batchnorm1.weight", "f32[16]",
                "y.batchnorm1.bias", "f32[16]",
                "y.batchnorm1.running_mean", "f32[16]",
                "y.batchnorm1.running_var", "f32[16]").inOrder();
        assertThat(buffers(m)).containsExactly("y.batchnorm1.running_mean", "y.batchnorm1.running_var");
        assertThat(inits(m)).containsExactly(
                "y.batchnorm1.weight", "ones", "y.batchnorm1.bias", "zeros",
                "y.batchnorm1.running_mean", "zeros", "y.batchnorm1.running_var", "ones").inOrder();
        // PyTorch's defaults: eps 1e-5, momentum 0.1
        assertThat(op(m, "y")).isEqualTo(new BatchNorm(1e-5, 0.1));
    }

    @Test
    @Covers("batchnorm")
    void batchnormOverVectorFeaturesWithItsOwnMomentumAndEps() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[128];
                    output y = x -> batchnorm(momentum: 0.01, eps: 1e-3);
                }
                """);
        assertThat(type(m, "y")).isEqualTo("f32[N,128]");
        assertThat(params(m)).containsEntry("y.batchnorm1.running_var", "f32[128]");
        assertThat(op(m, "y")).isEqualTo(new BatchNorm(1e-3, 0.01));
    }

    /**
     * The rule of {@code batchnorm} accepts "[features], [channels, length] or [channels, height,
     * width] per example" (its own error message says so), like PyTorch's BatchNorm1d on
     * {@code [N, C, L]}. The [channels, length] case normalises each of the C channels over the batch
     * and the length.
     */
    @Test
    @Covers("batchnorm")
    void batchnormOverChannelsOfASignal() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[8, 20];
                    output y = x -> batchnorm;
                }
                """);
        assertThat(type(m, "y")).isEqualTo("f32[N,8,20]");
        assertThat(params(m)).containsEntry("y.batchnorm1.weight", "f32[8]");
        assertThat(params(m)).containsEntry("y.batchnorm1.running_mean", "f32[8]");
    }

    @Test
    @Covers({"conv2d", "batchnorm", "relu", "maxpool"})
    void convolutionBatchnormReluPool() {
        NetworkModel m = compileOk("""
                network N {
                    input image: float[1, 28, 28];
                    output y = image -> conv2d(16, 5, padding: same) -> batchnorm -> relu -> maxpool(2);
                }
                """);
        assertThat(type(m, "y")).isEqualTo("f32[N,16,14,14]");
        assertThat(params(m)).containsEntry("y.batchnorm1.weight", "f32[16]");
        assertThat(ops(m)).containsExactly("conv2d", "bias_add", "batchnorm", "relu", "maxpool2d").inOrder();
    }

    @Test
    @Covers("layernorm")
    void layernormOverTheLastAxis() {
        NetworkModel m = compileOk("""
                network N {
                    input v: float[64];
                    input s: float[T <= 12, 32];
                    input i: float[3, 4, 5];
                    output a = v -> layernorm;
                    output b = s -> layernorm(eps: 1e-6);
                    output c = i -> layernorm;
                }
                """);
        assertThat(type(m, "a")).isEqualTo("f32[N,64]");
        assertThat(type(m, "b")).isEqualTo("f32[N,T,32]");
        assertThat(type(m, "c")).isEqualTo("f32[N,3,4,5]");
        assertThat(params(m)).containsExactly(
                "a.layernorm1.weight", "f32[64]", "a.layernorm1.bias", "f32[64]",
                "b.layernorm1.weight", "f32[32]", "b.layernorm1.bias", "f32[32]",
                "c.layernorm1.weight", "f32[5]", "c.layernorm1.bias", "f32[5]").inOrder();
        assertThat(buffers(m)).isEmpty();
        assertThat(inits(m)).containsEntry("a.layernorm1.weight", "ones");
        assertThat(inits(m)).containsEntry("a.layernorm1.bias", "zeros");
        assertThat(op(m, "b")).isEqualTo(new LayerNorm(1e-6));
    }

    // ---- errors --------------------------------------------------------------------------------

    @Test
    void batchnormOfAScalar() {
        Diagnostic d = assertError("""
                network N {
                    input x: float;
                    output y = x -> batchnorm;
                }
                """, "`batchnorm` needs [features], [channels, length] or [channels, height, width] per example, got [] "
                + "from input `x`", 3, 21);
        assertThat(notes(d)).containsExactly("2:11 this f32[N] comes from input `x`");
    }

    @Test
    void batchnormOfAVolume() {
        assertError("""
                network N {
                    input x: float[2, 3, 4, 5];
                    output y = x -> batchnorm;
                }
                """, "`batchnorm` needs [features], [channels, length] or [channels, height, width] per example, got [2,3,4,5] "
                + "from input `x`", 3, 21);
    }

    @Test
    void layernormOfAScalar() {
        assertError("""
                network N {
                    input x: float;
                    output y = x -> layernorm;
                }
                """, "`layernorm`: needs features per example, got f32[N]", 3, 21);
    }

    @Test
    void batchnormMomentumOutOfRange() {
        assertError("""
                network N {
                    input x: float[4];
                    output y = x -> batchnorm(momentum: 1.5);
                }
                """, "argument `momentum` of `batchnorm` must be a number in (0, 1), got a number (1.5)", 3, 41);
    }

    @Test
    void layernormWithZeroEps() {
        assertError("""
                network N {
                    input x: float[4];
                    output y = x -> layernorm(eps: 0);
                }
                """, "argument `eps` of `layernorm` must be a number > 0, got an integer (0)", 3, 36);
    }

    @Test
    void batchnormOfIntegers() {
        assertError("""
                network N {
                    input x: int[3];
                    output y = x -> batchnorm;
                }
                """, "`batchnorm` needs values of floats, got i32[N,3] from input `x`", 3, 21);
    }
}
