package org.dnnc.compiler.target;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.Conv2dGradInput;
import org.dnnc.compiler.ir.Conv2dGradWeight;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.Layout;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.target.ConvAlgorithms.Algorithm;
import org.dnnc.compiler.target.ConvAlgorithms.Choice;
import org.dnnc.runtime.cpu.ConvAlgorithm;
import org.dnnc.runtime.cpu.ConvGeometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The compile-time choice of convolution algorithms agrees with the runtime's rules, and is explained. */
class ConvAlgorithmsTest {

    @Test
    void agreesWithTheRuntimeOnEveryShapeOfAGrid() {
        int checked = 0;
        for (int channels : new int[] {1, 3, 16, 32, 64}) {
            for (int size : new int[] {4, 7, 14, 28}) {
                for (int filters : new int[] {8, 32, 128}) {
                    for (int kernel : new int[] {1, 3, 5}) {
                        for (int stride : new int[] {1, 2}) {
                            for (int pad = 0; pad <= kernel / 2; pad += Math.max(1, kernel / 2)) {
                                if (size + 2 * pad < kernel) {
                                    continue;
                                }
                                ConvShape s = new ConvShape(channels, size, size + 1, filters, kernel, kernel, stride,
                                        stride, pad, pad, pad, pad);
                                ConvGeometry g = new ConvGeometry(channels, size, size + 1, filters, kernel, kernel,
                                        stride, stride, pad, pad, pad, pad);
                                String what = g.toString();
                                assertWithMessage(what + " forward").that(ConvAlgorithms.forward(s).algorithm().name())
                                        .isEqualTo(ConvAlgorithm.forward(g).name());
                                assertWithMessage(what + " input gradient")
                                        .that(ConvAlgorithms.inputGradient(s).algorithm().name())
                                        .isEqualTo(ConvAlgorithm.inputGradient(g).name());
                                assertWithMessage(what + " kernel gradient")
                                        .that(ConvAlgorithms.weightGradient(s).algorithm().name())
                                        .isEqualTo(ConvAlgorithm.weightGradient(g).name());
                                assertWithMessage(what + " inference")
                                        .that(ConvAlgorithms.inference(s).algorithm().name())
                                        .isEqualTo(ConvAlgorithm.inference(g).name());
                                assertScratchAgrees(s, g, what);
                                checked++;
                            }
                        }
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(300);
        for (ConvAlgorithms.Algorithm a : ConvAlgorithms.Algorithm.values()) {
            assertThat(ConvAlgorithm.valueOf(a.name()).name()).isEqualTo(a.name());
        }
        assertThat(ConvAlgorithms.Algorithm.values()).hasLength(ConvAlgorithm.values().length);
    }

    /**
     * The scratch of each pass on one and on two threads: where the rules pick Winograd rows on a
     * small map, it is more than im2col's, and the runtime's must be the same.
     */
    private static void assertScratchAgrees(ConvShape s, ConvGeometry g, String what) {
        for (int threads = 1; threads <= 2; threads++) {
            assertWithMessage(what + " forward scratch on " + threads)
                    .that(ConvAlgorithms.scratchFloats(s, ConvAlgorithms.Pass.FORWARD, threads))
                    .isEqualTo(org.dnnc.runtime.cpu.Conv2d.forwardScratchFloats(g, threads));
            assertWithMessage(what + " input gradient scratch on " + threads)
                    .that(ConvAlgorithms.scratchFloats(s, ConvAlgorithms.Pass.INPUT_GRADIENT, threads))
                    .isEqualTo(org.dnnc.runtime.cpu.Conv2d.inputGradientScratchFloats(g, threads));
            assertWithMessage(what + " kernel gradient scratch on " + threads)
                    .that(ConvAlgorithms.scratchFloats(s, ConvAlgorithms.Pass.KERNEL_GRADIENT, threads))
                    .isEqualTo(org.dnnc.runtime.cpu.Conv2d.weightGradientScratchFloats(g, threads));
        }
    }

    /**
     * Shapes where Winograd rows pay but need more scratch than two column matrices: once the rules
     * fell back to im2col there; now they pick Winograd, and the scratch grows to what it needs
     * (VGG's third stage, and a 5x5 layer of 32 filters on a 7x7 map).
     */
    @ParameterizedTest(name = "{0}->{3} {4}x{4} on {1}x{2}")
    @CsvSource({
        "64, 7, 7, 64, 3, 1, IM2COL, WINOGRAD_TRANSPOSED, IM2COL",
        "16, 7, 7, 32, 5, 2, WINOGRAD, WINOGRAD, WINOGRAD"})
    void winogradWhereItPaysInTheScratchItNeeds(int c, int h, int w, int o, int k, int pad, String forward,
            String input, String weights) {
        ConvShape s = new ConvShape(c, h, w, o, k, k, 1, 1, pad, pad, pad, pad);
        ConvGeometry g = ConvGeometry.same(c, h, w, o, k, k, 1, 1);
        assertThat(ConvAlgorithms.forward(s).algorithm().name()).isEqualTo(forward);
        assertThat(ConvAlgorithms.inputGradient(s).algorithm().name()).isEqualTo(input);
        assertThat(ConvAlgorithms.weightGradient(s).algorithm().name()).isEqualTo(weights);
        assertThat(ConvAlgorithm.inputGradient(g).name()).isEqualTo(input);
        assertThat(ConvAlgorithms.inputGradient(s).reason()).doesNotContain("fit");
        long columns = 2L * c * k * k * h * w;
        assertThat(ConvAlgorithms.scratchFloats(s, ConvAlgorithms.Pass.INPUT_GRADIENT, 2)).isGreaterThan(columns);
        assertScratchAgrees(s, g, s.describe());
    }

    /**
     * The forward pass's rule for deep 3x3 kernels short of 128 tiles (VGG's and the ResNet's 32 to
     * 32 channels on 14x14), which neither gradient takes, and col2im again for the input gradient of
     * a layer that widens on a small map (VGG's 32 to 64 on 7x7); compiler and runtime agree.
     */
    @ParameterizedTest(name = "{0}->{3} on {1}x{2}")
    @CsvSource({
        "32, 14, 14, 32, WINOGRAD, WINOGRAD_TRANSPOSED, IM2COL",
        "64, 14, 14, 64, WINOGRAD, WINOGRAD_TRANSPOSED, IM2COL",
        "16, 14, 14, 32, IM2COL, IM2COL, IM2COL",
        "32, 7, 7, 64, IM2COL, IM2COL, IM2COL",
        "32, 13, 13, 32, IM2COL, WINOGRAD_TRANSPOSED, IM2COL"})
    void deepKernelsOnFewerTilesAndWideningLayers(int c, int h, int w, int o, String forward, String input,
            String weights) {
        ConvShape s = new ConvShape(c, h, w, o, 3, 3, 1, 1, 1, 1, 1, 1);
        ConvGeometry g = ConvGeometry.same(c, h, w, o, 3, 3, 1, 1);
        assertThat(ConvAlgorithms.forward(s).algorithm().name()).isEqualTo(forward);
        assertThat(ConvAlgorithms.inputGradient(s).algorithm().name()).isEqualTo(input);
        assertThat(ConvAlgorithms.weightGradient(s).algorithm().name()).isEqualTo(weights);
        assertThat(ConvAlgorithm.forward(g).name()).isEqualTo(forward);
        assertThat(ConvAlgorithm.inputGradient(g).name()).isEqualTo(input);
        assertThat(ConvAlgorithm.weightGradient(g).name()).isEqualTo(weights);
        if (forward.equals("WINOGRAD")) {
            assertThat(ConvAlgorithms.forward(s).reason()).contains("at depth " + c * 3);
            assertThat(ConvAlgorithms.weightGradient(s).reason()).contains("too few for this pass");
        }
        assertScratchAgrees(s, g, s.describe());
    }

    @Test
    void explainsEachCallWithItsShapeAndReason() throws Exception {
        Conv2d conv = new Conv2d(1, 1, 1, 1, 1, 1);
        var b = new GraphBuilder("Conv");
        int x = b.input("x", TensorType.f32(Dim.BATCH, Dim.of(16), Dim.of(28), Dim.of(28)), Origin.NONE);
        int k = b.param("w", TensorType.f32(Dim.of(16), Dim.of(16), Dim.of(3), Dim.of(3)), true, "zeros", Origin.NONE);
        int y = b.add(conv, List.of(x, k), Origin.NONE);
        int dx = b.add(new Conv2dGradInput(conv, 28, 28), List.of(y, k), Origin.NONE);
        int dw = b.add(new Conv2dGradWeight(conv, 3, 3), List.of(y, x), Origin.NONE);
        b.output("dx", dx);
        b.output(Differentiator.GRADIENT_PREFIX + "w", dw);
        Graph g = b.build();
        List<String> lines = ConvAlgorithms.explain(g);
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("conv2d %" + y + " (");
        assertThat(lines.get(0))
                .contains("16x28x28 -> 16 3x3 stride 1 -> 28x28): WINOGRAD, 3x3 stride 1 with 196 Winograd tiles");
        assertThat(lines.get(1)).contains("conv2d_grad_input %" + dx);
        assertThat(lines.get(1)).contains("WINOGRAD_TRANSPOSED, transposed Winograd rows onto 16 channels");
        assertThat(lines.get(2)).contains("conv2d_grad_weight %" + dw);
        assertThat(lines.get(2)).contains("WINOGRAD");
    }

    @Test
    void theInferenceProgramRunsItsConvolutionsThroughOneDnn() throws Exception {
        Graph inference = oneConvolution("y");
        assertThat(ConvAlgorithms.isInference(inference)).isTrue();
        assertThat(ConvAlgorithms.explain(inference)).containsExactly("conv2d %2 (, 16x28x28 -> 16 3x3 stride 1 ->"
                + " 28x28): ONEDNN, inference program: oneDNN's kernels, through its blocked layouts (else WINOGRAD)");
        // With a loss (evaluation, or the forward program as written), the training program's rules.
        Graph evaluation = oneConvolution(Differentiator.LOSS);
        assertThat(ConvAlgorithms.isInference(evaluation)).isFalse();
        assertThat(ConvAlgorithms.explain(evaluation).get(0))
                .contains("WINOGRAD, 3x3 stride 1 with 196 Winograd tiles");
    }

    @Test
    void callsWithABlockedOperandRunOneDnnWithTheRulesAsFallback() throws Exception {
        Conv2d conv = new Conv2d(1, 1, 1, 1, 1, 1);
        var b = new GraphBuilder("Conv");
        int x = b.input("x", TensorType.f32(Dim.BATCH, Dim.of(16), Dim.of(28), Dim.of(28)), Origin.NONE);
        int k = b.param("w", TensorType.f32(Dim.of(16), Dim.of(16), Dim.of(3), Dim.of(3)), true, "zeros", Origin.NONE);
        int y = b.add(conv, List.of(x, k), Origin.NONE);
        int z = b.add(conv, List.of(y, k), Origin.NONE);
        int dy = b.add(new Conv2dGradInput(conv, 28, 28), List.of(z, k), Origin.NONE);
        int dw = b.add(new Conv2dGradWeight(conv, 3, 3), List.of(z, x), Origin.NONE);
        b.output(Differentiator.LOSS, dy);
        b.output(Differentiator.GRADIENT_PREFIX + "w", dw);
        Graph nchw = b.build();
        Graph g = nchw.withLayouts(Map.of(y, Layout.NCHW16C));
        String fallback = "nChw16c operands: oneDNN's kernels (else %s, example by example through reorders)";
        assertThat(ConvAlgorithms.choice(g, g.node(y)))
                .isEqualTo(new Choice(Algorithm.ONEDNN, String.format(fallback, "WINOGRAD")));
        assertThat(ConvAlgorithms.choice(g, g.node(z)))
                .isEqualTo(new Choice(Algorithm.ONEDNN, String.format(fallback, "WINOGRAD")));
        assertThat(ConvLayouts.of(g, g.node(z))).isEqualTo(new ConvLayouts(Layout.NCHW16C, Layout.NCHW));
        // The gradients read z and x, which are NCHW, so the rules choose for them as without layouts.
        for (int call : List.of(dy, dw)) {
            assertThat(ConvAlgorithms.choice(g, g.node(call))).isEqualTo(ConvAlgorithms.choice(nchw, nchw.node(call)));
            assertThat(ConvAlgorithms.choice(g, g.node(call)).algorithm()).isNotEqualTo(Algorithm.ONEDNN);
        }
        Graph gradients = nchw.withLayouts(Map.of(dy, Layout.NCHW16C, z, Layout.NCHW16C));
        assertThat(ConvLayouts.of(gradients, gradients.node(dy))).isEqualTo(new ConvLayouts(Layout.NCHW16C,
                Layout.NCHW16C));
        assertThat(ConvLayouts.of(gradients, gradients.node(dw))).isEqualTo(new ConvLayouts(Layout.NCHW,
                Layout.NCHW16C));
        List<String> lines = ConvAlgorithms.explain(gradients);
        assertThat(lines.get(2)).endsWith("ONEDNN, " + String.format(fallback, "WINOGRAD_TRANSPOSED"));
        assertThat(lines.get(3)).endsWith("ONEDNN, " + String.format(fallback, "WINOGRAD"));
        assertThrows(IllegalArgumentException.class, () -> ConvAlgorithms.choice(g, g.node(x)));
    }

    /** A 16 to 16 channel 3x3 convolution on 28x28 maps, its result the output {@code name} (node 2). */
    private static Graph oneConvolution(String name) throws Exception {
        var b = new GraphBuilder("Conv");
        int x = b.input("x", TensorType.f32(Dim.BATCH, Dim.of(16), Dim.of(28), Dim.of(28)), Origin.NONE);
        int k = b.param("w", TensorType.f32(Dim.of(16), Dim.of(16), Dim.of(3), Dim.of(3)), true, "zeros", Origin.NONE);
        int y = b.add(new Conv2d(1, 1, 1, 1, 1, 1), List.of(x, k), Origin.NONE);
        assertThat(y).isEqualTo(2);
        b.output(name, y);
        return b.build();
    }
}
