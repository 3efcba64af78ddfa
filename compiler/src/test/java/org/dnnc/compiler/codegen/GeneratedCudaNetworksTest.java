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
 * network of the examples and the bench. (The autoencoder is not: its {@code mse} loss has no CUDA
 * kernel yet.) What the halves do is {@link
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
                Arguments.of(STRIDED, List.of("CudaConv2d.", "CONV_")));
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
