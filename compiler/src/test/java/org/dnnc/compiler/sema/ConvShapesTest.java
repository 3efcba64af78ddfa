package org.dnnc.compiler.sema;

import static com.google.common.truth.Truth.assertThat;

import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.Pool2d;
import org.junit.jupiter.api.Test;

/**
 * Convolution and pooling over [channels, height, width] images. Output sizes follow
 * {@code out = floor((in + pad_before + pad_after - kernel) / stride) + 1}; {@code same} padding is
 * TensorFlow's: {@code out = ceil(in / stride)}, total padding {@code max((out - 1) * stride + kernel - in, 0)},
 * the odd pixel going to the bottom and the right.
 */
class ConvShapesTest extends ShapeTestSupport {

    @Test
    @Covers("conv2d")
    void validConvolution() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[3, 32, 32];
                    output y = x -> conv2d(8, 5);
                }
                """);
        assertThat(type(m, "y")).isEqualTo("f32[N,8,28,28]"); // 32 - 5 + 1
        // weight [out, in, kh, kw], bias [out]
        assertThat(params(m)).containsExactly("y.conv2d1.weight", "f32[8,3,5,5]", "y.conv2d1.bias", "f32[8]").inOrder();
        assertThat(ops(m)).containsExactly("conv2d", "bias_add").inOrder();
    }

    @Test
    @Covers("conv2d")
    void stridedValidConvolutionRoundsDown() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[3, 32, 31];
                    output y = x -> conv2d(filters: 8, kernel: 5, stride: 2);
                }
                """);
        // floor((32 - 5) / 2) + 1 = 14; floor((31 - 5) / 2) + 1 = 14
        assertThat(type(m, "y")).isEqualTo("f32[N,8,14,14]");
    }

    @Test
    @Covers("conv2d")
    void samePaddingKeepsTheSizeAtStrideOne() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[1, 28, 28];
                    output y = x -> conv2d(16, kernel: 5, padding: same);
                }
                """);
        assertThat(type(m, "y")).isEqualTo("f32[N,16,28,28]");
        // total padding (28 - 1) * 1 + 5 - 28 = 4: 2 on each side
        assertThat(op(m, "y")).isInstanceOf(org.dnnc.compiler.ir.BiasAdd.class);
        Conv2d conv = (Conv2d) m.graph().nodes().stream().filter(n -> n.op() instanceof Conv2d).findFirst().orElseThrow().op();
        assertThat(conv).isEqualTo(new Conv2d(1, 1, 2, 2, 2, 2));
    }

    @Test
    @Covers("conv2d")
    void samePaddingWithStrideTwoPutsTheOddPixelAtTheBottomAndRight() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[16, 28, 28];
                    output y = x -> conv2d(32, 3, stride: 2, padding: same, bias: false);
                }
                """);
        // ceil(28 / 2) = 14; total padding (14 - 1) * 2 + 3 - 28 = 1: 0 before, 1 after
        assertThat(type(m, "y")).isEqualTo("f32[N,32,14,14]");
        assertThat(op(m, "y")).isEqualTo(new Conv2d(2, 2, 0, 0, 1, 1));
        assertThat(params(m)).containsExactly("y.conv2d1.weight", "f32[32,16,3,3]");
    }

    @Test
    @Covers("conv2d")
    void samePaddingWithARectangularKernelAndStride() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[1, 7, 9];
                    output y = x -> conv2d(4, [2, 4], stride: [2, 3], padding: same);
                }
                """);
        // height: ceil(7 / 2) = 4, padding (4 - 1) * 2 + 2 - 7 = 1 -> 0 + 1
        // width:  ceil(9 / 3) = 3, padding (3 - 1) * 3 + 4 - 9 = 1 -> 0 + 1
        assertThat(type(m, "y")).isEqualTo("f32[N,4,4,3]");
        assertThat(params(m)).containsEntry("y.conv2d1.weight", "f32[4,1,2,4]");
        Conv2d conv = (Conv2d) m.graph().nodes().stream().filter(n -> n.op() instanceof Conv2d).findFirst().orElseThrow().op();
        assertThat(conv).isEqualTo(new Conv2d(2, 3, 0, 0, 1, 1));
    }

    @Test
    @Covers("conv2d")
    void samePaddingWithAKernelLargerThanTheImage() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[1, 5, 5];
                    output y = x -> conv2d(2, 7, padding: same, bias: false);
                }
                """);
        // total padding (5 - 1) * 1 + 7 - 5 = 6: 3 on each side; 5 + 6 - 7 + 1 = 5
        assertThat(type(m, "y")).isEqualTo("f32[N,2,5,5]");
        assertThat(op(m, "y")).isEqualTo(new Conv2d(1, 1, 3, 3, 3, 3));
    }

    @Test
    @Covers("conv2d")
    void explicitPadding() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[3, 7, 9];
                    output a = x -> conv2d(4, 3, padding: [1, 2], bias: false);
                    output b = x -> conv2d(4, 3, padding: 1, bias: false);
                    output c = x -> conv2d(4, 3, padding: valid, bias: false);
                }
                """);
        // height 7 + 2*1 - 3 + 1 = 7; width 9 + 2*2 - 3 + 1 = 11
        assertThat(type(m, "a")).isEqualTo("f32[N,4,7,11]");
        assertThat(op(m, "a")).isEqualTo(new Conv2d(1, 1, 1, 2, 1, 2));
        assertThat(type(m, "b")).isEqualTo("f32[N,4,7,9]");
        assertThat(type(m, "c")).isEqualTo("f32[N,4,5,7]");
    }

    @Test
    @Covers("conv2d")
    void convolutionInitializers() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[3, 8, 8];
                    output a = x -> conv2d(4, 3, init: he_uniform);
                    output b = x -> conv2d(4, 3);
                    train {
                        loss = mse(a, b);
                        init = he_normal;
                    }
                }
                """);
        assertThat(inits(m)).containsExactly(
                "a.conv2d1.weight", "he_uniform", "a.conv2d1.bias", "zeros",
                "b.conv2d1.weight", "he_normal", "b.conv2d1.bias", "zeros").inOrder();
    }

    @Test
    @Covers({"maxpool", "avgpool"})
    void poolingWindowsStridesAndPadding() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[8, 28, 28];
                    input s: float[8, 7, 7];
                    output p1 = x -> maxpool;
                    output p2 = x -> maxpool(3);
                    output p3 = x -> maxpool(3, stride: 2);
                    output p4 = x -> maxpool(2) -> maxpool(3, stride: 2, padding: 1);
                    output p5 = s -> avgpool([2, 3]);
                    output p6 = s -> avgpool(2, stride: 1);
                    output p7 = s -> avgpool(size: [3, 2], stride: [2, 1], padding: 1);
                }
                """);
        assertThat(type(m, "p1")).isEqualTo("f32[N,8,14,14]"); // size 2, stride 2: floor(26 / 2) + 1
        assertThat(type(m, "p2")).isEqualTo("f32[N,8,9,9]");   // floor((28 - 3) / 3) + 1 = 8 + 1
        assertThat(type(m, "p3")).isEqualTo("f32[N,8,13,13]"); // floor((28 - 3) / 2) + 1 = 12 + 1
        assertThat(type(m, "p4")).isEqualTo("f32[N,8,7,7]");   // 14, then floor((14 + 2 - 3) / 2) + 1 = 6 + 1
        assertThat(type(m, "p5")).isEqualTo("f32[N,8,3,2]");   // floor((7 - 2) / 2) + 1; floor((7 - 3) / 3) + 1
        assertThat(type(m, "p6")).isEqualTo("f32[N,8,6,6]");   // 7 - 2 + 1
        // height floor((7 + 2 - 3) / 2) + 1 = 4; width floor((7 + 2 - 2) / 1) + 1 = 8
        assertThat(type(m, "p7")).isEqualTo("f32[N,8,4,8]");
        assertThat(op(m, "p3")).isEqualTo(new Pool2d(org.dnnc.compiler.ir.PoolKind.MAX, 3, 3, 2, 2, 0, 0));
        assertThat(params(m)).isEmpty();
    }

    @Test
    @Covers("global_avgpool")
    void globalAveragePoolingKeepsTheChannels() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[64, 7, 5];
                    output y = x -> global_avgpool;
                }
                """);
        assertThat(type(m, "y")).isEqualTo("f32[N,64]");
        assertThat(params(m)).isEmpty();
    }

    @Test
    @Covers({"conv2d", "avgpool", "flatten", "dense", "tanh"})
    void leNet5() {
        NetworkModel m = compileOk("""
                network LeNet5 {
                    input image: float[1, 32, 32];
                    output logits = image -> conv2d(6, 5) -> tanh -> avgpool(2)
                                          -> conv2d(16, 5) -> tanh -> avgpool(2)
                                          -> flatten -> dense(120) -> tanh -> dense(84) -> tanh -> dense(10);
                }
                """);
        // 32 -conv5-> 28 -pool2-> 14 -conv5-> 10 -pool2-> 5; 16 * 5 * 5 = 400
        assertThat(type(m, "logits")).isEqualTo("f32[N,10]");
        assertThat(params(m)).containsExactly(
                "logits.conv2d1.weight", "f32[6,1,5,5]", "logits.conv2d1.bias", "f32[6]",
                "logits.conv2d2.weight", "f32[16,6,5,5]", "logits.conv2d2.bias", "f32[16]",
                "logits.dense1.weight", "f32[120,400]", "logits.dense1.bias", "f32[120]",
                "logits.dense2.weight", "f32[84,120]", "logits.dense2.bias", "f32[84]",
                "logits.dense3.weight", "f32[10,84]", "logits.dense3.bias", "f32[10]").inOrder();
        // 156 + 2,416 + 48,120 + 10,164 + 850
        long count = m.graph().params().stream().mapToLong(n -> n.type().elementsPerExample()).sum();
        assertThat(count).isEqualTo(61_706);
    }

    // ---- errors --------------------------------------------------------------------------------

    @Test
    void convolutionOfAVector() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[784];
                    output y = x -> conv2d(8, 3);
                }
                """, "`conv2d` needs images of shape [channels, height, width] per example, got [784] (f32[N,784]) "
                + "from input `x`", 3, 21);
        assertThat(d.hints()).containsExactly(
                "declare image inputs with their channels, e.g. `input image: float[1, 28, 28];`, or use `reshape`");
        assertThat(notes(d)).containsExactly("2:11 this f32[N,784] comes from input `x`");
    }

    @Test
    void convolutionOfImagesWithoutChannels() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[T <= 9, 4];
                    output y = x -> conv2d(8, 3);
                }
                """, "`conv2d` needs images of shape [channels, height, width] per example, got [T,4] (f32[N,T,4]) "
                + "from input `x`", 3, 21);
        assertThat(d.hints()).isEmpty();
    }

    @Test
    void poolLargerThanTheImage() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[1, 4, 4];
                    output y = x -> maxpool(5);
                }
                """, "`maxpool` window 5x5 does not fit the 4x4 image f32[N,1,4,4] from input `x`", 3, 21);
        assertThat(d.hints()).containsExactly("use a smaller window, or fewer downsampling layers before it");
        assertThat(notes(d)).containsExactly("2:11 this f32[N,1,4,4] comes from input `x`");
    }

    @Test
    void tooManyPoolingsShrinkTheImageAway() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[1, 4, 4];
                    output y = x -> maxpool -> maxpool -> avgpool;
                }
                """, "`avgpool` window 2x2 does not fit the 1x1 image f32[N,1,1,1] from `maxpool`", 3, 43);
        assertThat(notes(d)).containsExactly("3:32 this f32[N,1,1,1] comes from `maxpool`");
    }

    @Test
    void kernelLargerThanThePaddedImage() {
        assertError("""
                network N {
                    input x: float[1, 5, 6];
                    output y = x -> conv2d(4, 5, padding: [0, 1]) -> conv2d(4, [1, 9]);
                }
                """,
                // 5 - 5 + 1 = 1; 6 + 2 - 5 + 1 = 4: a 1x9 kernel does not fit a 1x4 image
                "`conv2d` window 1x9 does not fit the 1x4 image f32[N,4,1,4] from `conv2d`", 3, 54);
    }

    @Test
    void convolutionOverAVariableHeight() {
        assertError("""
                network N {
                    input x: float[1, T <= 8, 8];
                    output y = x -> conv2d(2, 3);
                }
                """, "`conv2d` needs a fixed height, but it is `T`", 3, 21);
    }

    @Test
    void poolPaddingOverHalfTheWindow() {
        assertError("""
                network N {
                    input x: float[1, 8, 8];
                    output y = x -> maxpool(2, padding: 2);
                }
                """, "`maxpool`: padding must be between 0 and half the kernel, got padding 2x2 for kernel 2x2",
                3, 21);
    }

    @Test
    void zeroStride() {
        assertError("""
                network N {
                    input x: float[1, 8, 8];
                    output y = x -> conv2d(2, 3, stride: 0);
                }
                """, "argument `stride` of `conv2d` must be an integer >= 1 or a pair [h, w], got an integer (0)", 3, 42);
    }

    @Test
    void globalPoolingOfAVector() {
        assertError("""
                network N {
                    input x: float[4];
                    output y = x -> global_avgpool;
                }
                """, "`global_avgpool` needs images of shape [channels, height, width] per example, got [4] (f32[N,4]) "
                + "from input `x`", 3, 21);
    }

    /** Huge paddings must be an error, not an output size that wrapped around to something plausible. */
    @Test
    void hugePaddingDoesNotOverflow() {
        assertError("""
                network N {
                    input x: float[1, 4, 4];
                    output y = x -> conv2d(1, 1, padding: 2147483647);
                }
                """, "`conv2d`: output height would be 4294967298 (input 4, kernel 1, stride 1, "
                + "padding 2147483647+2147483647)", 3, 21);
    }
}
