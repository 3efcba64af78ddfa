package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.target.CudaTarget;
import org.dnnc.compiler.testing.RepoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The convolutional and sequence networks compiled with the CUDA target as well as the CPU's: the
 * class has a CUDA half whose Java compiles without a warning, with the layers' geometry constants
 * and its int views (labels, token ids, lengths) on the device: every convolutional and sequence
 * network of the examples and the bench, and the autoencoder and a network trained on a weighted sum
 * of {@code mse} and {@code bce_with_logits} (the regression losses). What the halves do is {@link
 * GeneratedCudaDryRunTest}'s (without a GPU) and {@link GeneratedCudaTrainingTest}'s (with one).
 */
class GeneratedCudaNetworksTest {
    static final Path CNN = RepoPaths.root().resolve("examples/fashion-cnn/src/main/dnn/FashionCnn.dnn");
    static final Path RESNET = RepoPaths.root().resolve("examples/fashion-resnet/src/main/dnn/FashionResnet.dnn");
    static final Path VGG = RepoPaths.root().resolve("bench/networks/Vgg.dnn");
    static final Path GRU = RepoPaths.root().resolve("examples/fashion-gru/src/main/dnn/FashionGru.dnn");
    static final Path LM = RepoPaths.root().resolve("examples/fortunes-lm/src/main/dnn/FortunesLm.dnn");
    static final Path TOPICS = RepoPaths.root().resolve("examples/fortunes-topics/src/main/dnn/FortunesTopics.dnn");
    static final Path REVERSER = RepoPaths.root().resolve("examples/seq2seq-attention/src/main/dnn/Reverser.dnn");
    static final Path STRIDED = RepoPaths.root().resolve("bench/networks/Strided.dnn");
    static final Path AUTOENCODER = RepoPaths.root().resolve(
            "examples/fashion-autoencoder/src/main/dnn/FashionAutoencoder.dnn");
    private static final List<String> LINT = List.of("-Xlint:all", "-Werror");

    @TempDir
    static Path work;

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of(CNN, List.of("CudaConv2d.", "CudaPool.", "CONV_")),
                Arguments.of(RESNET, List.of("CudaConv2d.", "CudaBatchNorm.", "CONV_")),
                Arguments.of(VGG, List.of("CudaConv2d.", "CudaPool.", "CONV_")),
                Arguments.of(GRU, List.of("CudaRecurrent.forward(ctx, RECURRENT_", "CudaRecurrent.backward(ctx, ")),
                Arguments.of(LM, List.of("CudaEmbedding.forward(ctx, ", "CudaEmbedding.backward(ctx, ", "CudaRecurrent.infer(ctx, RECURRENT_")),
                Arguments.of(TOPICS, List.of("CudaRecurrent.forward(ctx, REVERSE_", "CudaAttention.", "CudaConcat.")),
                Arguments.of(REVERSER, List.of("CudaSteps.shiftRight(ctx, ", "CudaAttentionDecoder.")),
                Arguments.of(STRIDED, List.of("CudaConv2d.", "CONV_")),
                // The seed of 1 is not filled, and the gradient's upstream is none.
                Arguments.of(AUTOENCODER, List.of("CudaLosses.mse(ctx, t21_reconstruction_dense2, t0_image, null, null,"
                        + " n * 784, null, t23_loss_mse1);", "CudaLosses.mse(ctx, t21_reconstruction_dense2, t0_image,"
                        + " t25_d_loss_mse1, null, n * 784, null, null);")));
    }

    /**
     * The CNN's inference pass (its batch norms folded into the convolutions): each convolution is
     * the library call alone, then one generated kernel adds the folded bias over the channels and
     * applies the ReLU, where a channel-bias kernel and an activation kernel followed it before.
     */
    @Test
    void theCnnsFoldedConvolutionsEndInOneGeneratedKernelEach() throws Exception {
        SourceFile file = SourceFile.read(CNN);
        NetworkModel model = Compiler.compile(file).networks().get(0);
        String code = JavaGenerator.generate(model, file, true, Set.of(CpuTarget.INSTANCE, CudaTarget.INSTANCE))
                .toString();
        String half = code.substring(code.indexOf("private static final class OnCuda {"));
        int start = half.indexOf("private void infer(int n) {");
        String infer = half.substring(start, half.indexOf("\n        }\n", start));
        assertThat(infer.split("CudaConv2d\\.forward\\(", -1)).hasLength(3);
        assertThat(infer).containsMatch("CudaConv2d\\.forward\\(ctx, CONV_LOGITS_FEATURES1_CONV2D1, i0_image, \\w+, null,"
                + " (\\w+), \\w+, n, Activation\\.IDENTITY, 0\\.0f\\);\\s+// [^\\n]*\\n\\s+ctx\\.launch\\(fused_[0-9a-f]{12},"
                + " n \\* 12544, ctx\\.args\\(\\)\\.ptr\\(\\1\\)\\.ptr\\(\\w+\\)\\.ptr\\(\\w+\\)\\.i\\(n \\* 12544\\)\\.i\\(16\\)\\.i\\(784\\)\\);");
        assertThat(infer).contains(".i(n * 6272).i(32).i(196));");
        assertThat(infer).doesNotContain("CudaElementwise.addChannelBias");
        assertThat(infer).doesNotContain("CudaActivations.forward");
        // The CPU's convolution applies the same bias and ReLU in its own epilogue.
        assertThat(code.substring(0, code.indexOf("private static final class OnCuda {")))
                .containsMatch("Conv2d\\.forward\\([^;]*Activation\\.RELU");
    }

    /**
     * Convolutions without batch norm, so that training too runs their epilogues as generated
     * kernels: the first's bias and ReLU, and in the residual block the second convolution's bias,
     * the residual add and the ReLU as one chain.
     */
    static final String CONV_CHAIN = """
            package org.dnnc.test;

            network ConvChain {
                input x: float[2, 8, 8];
                input label: int;

                block residual(x, c: int) {
                    y = x -> conv2d(c, 3, padding: same) -> relu -> conv2d(c, 3, padding: same);
                    relu(x + y)
                }

                logits = x -> conv2d(4, 3, padding: same) -> relu -> residual(4) -> global_avgpool -> dense(3);
                output probs = softmax(logits);

                train {
                    loss      = cross_entropy(logits, label);
                    optimizer = adam(lr: 1e-3);
                    batch     = 8;
                }
            }
            """;

    @Test
    void convolutionsWithoutBatchNormCompileWithTheirEpiloguesAsGeneratedKernels() throws Exception {
        SourceFile file = new SourceFile(work.resolve("ConvChain.dnn").toString(), CONV_CHAIN);
        NetworkModel model = Compiler.compile(file).networks().get(0);
        String code = JavaGenerator.generate(model, file, true, Set.of(CpuTarget.INSTANCE, CudaTarget.INSTANCE))
                .toString();
        JavaSourceCompiler.compile(model.qualifiedName(), code, work.resolve("convchain"), LINT);
        String half = code.substring(code.indexOf("private static final class OnCuda {"));
        // Every convolution is the library call alone; its bias (4 channels of 8x8) goes to a generated kernel.
        assertThat(half).doesNotContainMatch("CudaConv2d\\.forward\\([^;]*Activation\\.RELU");
        assertThat(half).containsMatch("ctx\\.launch\\(fused_[0-9a-f]{12}, n \\* 256, [^;]*\\.i\\(n \\* 256\\)\\.i\\(4\\)\\.i\\(64\\)\\);");
    }

    /** Two regression losses in a weighted sum: a gradient whose weight is not 1 reads it on the device. */
    static final String REGRESSION = """
            package org.dnnc.test;

            network Regression {
                input x: float[6];
                input target: float[3];
                input flags: float[2];
                hidden = x -> dense(8) -> tanh;
                output value = hidden -> dense(3);
                output flag_logits = hidden -> dense(2);
                train {
                    loss      = mse(value, target) + 0.25 * bce_with_logits(flag_logits, flags);
                    optimizer = sgd(lr: 0.1);
                    batch     = 8;
                }
            }
            """;

    @Test
    void aWeightedRegressionLossReadsItsWeightOnTheDevice() throws Exception {
        SourceFile file = new SourceFile(work.resolve("Regression.dnn").toString(), REGRESSION);
        NetworkModel model = Compiler.compile(file).networks().get(0);
        String code = JavaGenerator.generate(model, file, true, Set.of(CpuTarget.INSTANCE, CudaTarget.INSTANCE))
                .toString();
        JavaSourceCompiler.compile(model.qualifiedName(), code, work.resolve("regression"), LINT);
        String half = code.substring(code.indexOf("private static final class OnCuda {"));
        // The mse's upstream is the seed, 1 (as on the CPU, not read); the bce's is the weight's view.
        assertThat(half).containsMatch("CudaLosses\\.mse\\(ctx, t\\w+, t\\w+, t\\w+, null, n \\* 3, null, null\\);");
        assertThat(half).containsMatch("CudaLosses\\.bceWithLogits\\(ctx, t\\w+, t\\w+, t\\w+, null, n \\* 2,"
                + " t\\w+_loss_scale\\w*, null\\);");
    }

    /** Plain SGD: the CPU's embedding gradient is a list of rows, the GPU's dense. */
    static final String SGD_EMBEDDING = """
            package org.dnnc.test;

            network SgdEmbedding {
                input ids: int[6];
                input label: int;
                logits = ids -> embedding(vocab: 20, dim: 4) -> gru(5) -> dense(3);
                output probs = softmax(logits);
                train {
                    loss      = cross_entropy(logits, label);
                    optimizer = sgd(lr: 0.1);
                    batch     = 8;
                    clip_norm = 1.0;
                }
            }
            """;

    @Test
    void aSparseEmbeddingGradientOnTheCpuIsADenseOneOnTheGpu() throws Exception {
        SourceFile file = new SourceFile(work.resolve("SgdEmbedding.dnn").toString(), SGD_EMBEDDING);
        NetworkModel model = Compiler.compile(file).networks().get(0);
        String code = JavaGenerator.generate(model, file, true, Set.of(CpuTarget.INSTANCE, CudaTarget.INSTANCE))
                .toString();
        JavaSourceCompiler.compile(model.qualifiedName(), code, work.resolve("sgd"), LINT);
        int half = code.indexOf("private static final class OnCuda {");
        assertThat(code.substring(0, half)).contains("EmbeddingRows");
        assertThat(code.substring(half)).contains("CudaEmbedding.backward(ctx, ");
        assertThat(code.substring(half)).doesNotContain("EmbeddingRows");
    }

    @ParameterizedTest
    @MethodSource("networks")
    void theClassWithItsCudaHalfCompilesWithoutAWarning(Path dnn, List<String> calls) throws Exception {
        SourceFile file = SourceFile.read(dnn);
        NetworkModel model = Compiler.compile(file).networks().get(0);
        String code = JavaGenerator.generate(model, file, true, Set.of(CpuTarget.INSTANCE, CudaTarget.INSTANCE))
                .toString();
        JavaSourceCompiler.compile(model.qualifiedName(), code, work.resolve(model.name()), LINT);
        String half = code.substring(code.indexOf("private static final class OnCuda {"));
        for (String call : calls) {
            assertThat(half).contains(call);
        }
    }
}
