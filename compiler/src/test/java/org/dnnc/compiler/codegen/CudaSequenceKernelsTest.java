package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.lang.model.element.Modifier;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.codegen.cuda.FusedKernels;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.EmbeddingGrad;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.lowering.LoweredProgram;
import org.dnnc.compiler.lowering.Lowering;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.target.CudaTarget;
import org.dnnc.compiler.testing.RepoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA target's calls for sequence networks compile against {@code org.dnnc.runtime.cuda}:
 * every call of every program of the GRU bench network, the LSTM language model, the topic
 * classifier, the attention decoder example and a network with the rest of what this part covers
 * (shifted ids, lengths, both directions, layer norm, the last valid step, attention and its
 * weights, plain SGD's embedding gradient, dense here and sparse on the CPU), in a class that
 * declares what the calls use as {@link CudaKernelsTest} does, plus the layers' geometry
 * constants. Whether they compute what the CPU's calls do is for the runtime's GPU tests ({@code
 * SequencesGpuTest}, {@code AttentionGpuTest}, {@code AttentionDecoderGpuTest}, {@code
 * LayerNormGpuTest}), on a GPU.
 */
class CudaSequenceKernelsTest {
    private static final String CUDA = "org.dnnc.runtime.cuda";

    /** The ops of the GRU bench network and the language model, and the ones they leave out. */
    private static final String TAIL = """
            network Tail {
                input src: int[12];
                input length: int;
                input label: int;

                states = src -> shift_right(fill: 1) -> embedding(vocab: 20, dim: 8)
                              -> bidirectional(length, rnn(16, return_sequences: true)) -> layernorm;
                summary = states -> last(length) -> attention(states, length, units: 8);
                logits = summary -> dense(4);
                output weights = attention_weights(summary);

                train {
                    loss      = cross_entropy(logits, label);
                    optimizer = sgd(lr: 0.1);
                    batch     = 8;
                    epochs    = 1;
                }
            }
            """;

    @TempDir
    Path work;

    private static Lowering lower(Path file) throws Exception {
        NetworkModel model = Compiler.compile(SourceFile.read(file)).networks().get(0);
        return Lowering.of(model, CudaTarget.INSTANCE, true);
    }

    /** The source of a class holding every call of the lowering's programs, one method per program. */
    private static String calls(String name, Lowering lowering, String file) throws CodegenException {
        ClassName devBuf = ClassName.get(CUDA, "DevBuf");
        TypeSpec.Builder type = TypeSpec.classBuilder(name).addModifiers(Modifier.FINAL)
                .addField(ClassName.get(CUDA, "CudaContext"), "ctx", Modifier.PRIVATE)
                .addField(devBuf, "rng", Modifier.PRIVATE)
                .addField(devBuf, "counts", Modifier.PRIVATE);
        FusedKernels.of(lowering).forEach(k -> type.addField(ClassName.get(CUDA, "Kernel"), k.source().name(),
                Modifier.PRIVATE));
        Geometries geometries = new Geometries();
        for (Program.Kind kind : Program.Kind.values()) {
            LoweredProgram program = lowering.program(kind).orElseThrow();
            String prefix = kind.name().toLowerCase(Locale.ROOT);
            Map<String, String> params = new LinkedHashMap<>();
            for (Node n : program.graph().nodes()) {
                if (n.op() instanceof Param p) {
                    params.put(p.name(), prefix + "Param" + n.id());
                    type.addField(devBuf, prefix + "Param" + n.id(), Modifier.PRIVATE);
                }
            }
            ProgramEmitter emitter = new ProgramEmitter(prefix, program.graph(), program.plan(), params, file,
                    geometries, CudaTarget.INSTANCE.kernels(), false);
            for (FieldSpec f : emitter.fieldSpecs()) {
                type.addField(devBuf, f.name(), Modifier.PRIVATE);
            }
            MethodSpec.Builder method = MethodSpec.methodBuilder(prefix).addParameter(int.class, "n");
            emitter.body().forEach(method::addCode);
            type.addMethod(method.build());
        }
        geometries.fieldSpecs().forEach(type::addField);
        return JavaFile.builder("calls", type.build()).build().toString();
    }

    /** The sparse embedding gradients of the lowering's training program. */
    private static long sparseGradients(Lowering lowering) {
        return lowering.program(Program.Kind.TRAIN).orElseThrow().graph().nodes().stream()
                .filter(n -> n.op() instanceof EmbeddingGrad g && g.sparse()).count();
    }

    private String compileAll(String name, Path file) throws Exception {
        String source = calls(name, lower(file), file.getFileName().toString());
        JavaSourceCompiler.compile("calls." + name, source, work, List.of("-Xlint:all", "-Werror"));
        return source;
    }

    @Test
    void everyCallOfTheGruBenchNetworkCompiles() throws Exception {
        String source = compileAll("GruCalls", RepoPaths.root().resolve("examples/fashion-gru/src/main/dnn/FashionGru.dnn"));
        assertThat(source).contains("new RecurrentGeometry(RecurrentCell.GRU, 28, 28, 128, false, false)");
        assertThat(source).containsMatch("CudaRecurrent\\.forward\\(ctx, RECURRENT_\\w+, \\w+, null, null, null,");
        assertThat(source).containsMatch("CudaRecurrent\\.backward\\(ctx, RECURRENT_\\w+, \\w+, null,");
    }

    @Test
    void everyCallOfTheLanguageModelCompiles() throws Exception {
        String source = compileAll("LmCalls", RepoPaths.root().resolve("examples/fortunes-lm/src/main/dnn/FortunesLm.dnn"));
        assertThat(source).contains("new RecurrentGeometry(RecurrentCell.LSTM, 64, 64, 256, false, true)");
        assertThat(source).containsMatch("CudaEmbedding\\.forward\\(ctx, \\w+, \\w+, \\w+, n \\* 64, 256, 64\\)");
        assertThat(source).containsMatch("CudaEmbedding\\.backward\\(ctx,");
        assertThat(source).contains("CudaRecurrent.backward(ctx,");
    }

    @Test
    void everyCallOfTheTopicClassifierCompiles() throws Exception {
        String source = compileAll("TopicsCalls",
                RepoPaths.root().resolve("examples/fortunes-topics/src/main/dnn/FortunesTopics.dnn"));
        assertThat(source).contains("new RecurrentGeometry(RecurrentCell.LSTM, 256, 32, 48, true, true)");
        assertThat(source).contains("CudaConcat.place(ctx,");
        assertThat(source).contains("CudaAttention.backward(ctx, ATTENTION_");
    }

    @Test
    void shiftedIdsLengthsBothDirectionsLayerNormLastStepsAndAttentionCompile() throws Exception {
        Path file = work.resolve("Tail.dnn");
        Files.writeString(file, TAIL);
        String source = compileAll("TailCalls", file);
        assertThat(source).containsMatch("CudaSteps\\.shiftRight\\(ctx, \\w+, \\w+, n, 12, 1\\)");
        assertThat(source).containsMatch("CudaSteps\\.last\\(ctx, \\w+, \\w+, \\w+, n, 12, 32\\)");
        assertThat(source).containsMatch("CudaSteps\\.lastBackward\\(ctx,");
        assertThat(source).contains("new RecurrentGeometry(RecurrentCell.RNN_TANH, 12, 8, 16, true, true)");
        assertThat(source).contains("new AttentionGeometry(1, 12, 32, 32, 8)");
        assertThat(source).containsMatch("CudaAttention\\.forward\\(ctx, ATTENTION_\\w+, \\w+, \\w+, \\w+, \\w+, \\w+, \\w+, null,");
        assertThat(source).containsMatch("CudaAttention\\.forward\\(ctx, ATTENTION_\\w+, \\w+, \\w+, \\w+, \\w+, \\w+, null, \\w+,");
        assertThat(source).contains("CudaAttention.backward(ctx, ATTENTION_");
        assertThat(source).containsMatch("CudaLayerNorm\\.forward\\(ctx, \\w+, \\w+, \\w+, \\w+, null, null, n \\* 12, 32,");
        assertThat(source).containsMatch("CudaLayerNorm\\.backward\\(ctx, \\w+, \\w+, \\w+, null, null, \\w+, null, null,");
        assertThat(source).containsMatch("CudaLayerNorm\\.backward\\(ctx, \\w+, \\w+, null, null, null, null, \\w+,");
        // Plain SGD's embedding gradient, sparse on the CPU, is dense here: no row lists.
        assertThat(source).containsMatch("CudaEmbedding\\.backward\\(ctx, \\w+, \\w+, \\w+, n \\* 12, 20, 8\\)");
        assertThat(source).doesNotContain("EmbeddingRows");
        assertThat(sparseGradients(lower(file))).isEqualTo(0);
        assertThat(sparseGradients(Lowering.of(Compiler.compile(SourceFile.read(file)).networks().get(0),
                CpuTarget.INSTANCE, true))).isEqualTo(1);
    }

    @Test
    void everyCallOfTheAttentionDecoderExampleCompiles() throws Exception {
        String source = compileAll("ReverserCalls",
                RepoPaths.root().resolve("examples/seq2seq-attention/src/main/dnn/Reverser.dnn"));
        assertThat(source).contains("new DecoderGeometry(21, 32, 96, 20, 96, 48)");
        assertThat(source).containsMatch("CudaAttentionDecoder\\.forward\\(ctx, DECODER_\\w+, (\\w+, ){11}null, \\w+, n\\)");
        assertThat(source).containsMatch("CudaAttentionDecoder\\.forward\\(ctx, DECODER_\\w+, (\\w+, ){10}null, \\w+, \\w+, n\\)");
        assertThat(source).contains("CudaAttentionDecoder.backward(ctx, DECODER_");
        assertThat(source).containsMatch("CudaSteps\\.last\\(ctx, \\w+, \\w+, \\w+, n, 20, 96\\)");
    }
}
