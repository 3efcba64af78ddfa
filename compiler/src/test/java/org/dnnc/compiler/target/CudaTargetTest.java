package org.dnnc.compiler.target;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.BatchNormGradInput;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.Conv2dGradInput;
import org.dnnc.compiler.ir.Conv2dGradWeight;
import org.dnnc.compiler.ir.ConvBiasActivation;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.FusedElementwise;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.lowering.LoweredProgram;
import org.dnnc.compiler.lowering.Lowering;
import org.dnnc.compiler.memory.Buffer;
import org.dnnc.compiler.memory.CallGroups;
import org.dnnc.compiler.memory.MemoryPlan;
import org.dnnc.compiler.passes.Pass;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.testing.RepoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CUDA target: the fusions that pay on a GPU, plans aligned to 256 bytes, convolution scratch
 * for im2col over groups of examples, and the recurrent and attention workspaces laid out as on the
 * CPU.
 */
class CudaTargetTest {

    private static Lowering lower(String example, Target target) throws Exception {
        Path file = RepoPaths.root().resolve("examples/" + example);
        NetworkModel model = Compiler.compile(SourceFile.read(file)).networks().get(0);
        return Lowering.of(model, target, true);
    }

    @Test
    void targetsAreFoundByNameAndNoOtherName() {
        assertThat(Targets.named("cuda")).hasValue(CudaTarget.INSTANCE);
        assertThat(Targets.named("cpu")).hasValue(CpuTarget.INSTANCE);
        assertThat(Targets.named("gpu")).isEmpty();
        assertThat(Targets.names()).containsExactly("cpu", "cuda").inOrder();
    }

    @Test
    void theFusionsThatPayOnAGpuRunAndNoneWithoutFusion() throws Exception {
        List<String> passes = CudaTarget.INSTANCE.passes(true).passes().stream().map(Pass::name).toList();
        assertThat(passes).containsAtLeast("fuse-conv", "fuse-batchnorm-relu", "fuse-elementwise");
        assertThat(CudaTarget.INSTANCE.passes(false).passes().stream().map(Pass::name).toList())
                .containsExactly("dce");
        Graph train = lower("fashion-cnn/src/main/dnn/FashionCnn.dnn", CudaTarget.INSTANCE)
                .program(Program.Kind.TRAIN).orElseThrow().graph();
        assertThat(train.nodes().stream().filter(n -> n.op() instanceof ConvBiasActivation).count()).isEqualTo(2);
        assertThat(train.nodes().stream().filter(n -> n.op() instanceof BatchNorm b && b.relu()).count())
                .isEqualTo(2);
        assertThat(train.nodes().stream().anyMatch(n -> n.op() instanceof FusedElementwise)).isTrue();
    }

    @Test
    void everyBufferOfAPlanIsAlignedTo256Bytes() throws Exception {
        MemoryPlan cuda = lower("fashion-cnn/src/main/dnn/FashionCnn.dnn", CudaTarget.INSTANCE)
                .program(Program.Kind.TRAIN).orElseThrow().plan();
        assertThat(cuda.alignment()).isEqualTo(256);
        for (Buffer b : cuda.buffers()) {
            assertWithMessage(b.label()).that(b.offset() % 256).isEqualTo(0);
            assertWithMessage(b.label()).that(b.bytes() % 256).isEqualTo(0);
        }
        // The CPU's 64-byte plan of the same program has a buffer the 256-byte rule would move.
        MemoryPlan cpu = lower("fashion-cnn/src/main/dnn/FashionCnn.dnn", CpuTarget.INSTANCE)
                .program(Program.Kind.TRAIN).orElseThrow().plan();
        assertThat(cpu.buffers().stream().anyMatch(b -> b.offset() % 256 != 0 || b.bytes() % 256 != 0)).isTrue();
    }

    /**
     * Examples per GEMM worked out by hand: enough for 16,384 output positions, at most the batch.
     * 28x28 has 784 positions, so 21 examples (20.9 rounded up); 14x14 has 196, so 84, which a batch
     * of 64 caps; 128x128 has 16,384, so one.
     */
    @ParameterizedTest(name = "C={0} {1}x{2} O={3} k={4} stride={5} pad={6} batch={7}: {8} examples")
    @CsvSource({
        "1, 28, 28, 16, 5, 1, 2, 64, 21",
        "16, 14, 14, 32, 5, 1, 2, 64, 64",
        "16, 14, 14, 32, 5, 1, 2, 128, 84",
        "3, 128, 128, 8, 3, 1, 1, 32, 1",
        "8, 28, 28, 8, 3, 2, 1, 128, 84"})
    void convolutionScratchHoldsTheColumnsOfAGroupOfExamples(int c, int h, int w, int o, int k, int stride,
            int pad, int batch, int examples) throws Exception {
        Conv2d conv = new Conv2d(stride, stride, pad, pad, pad, pad);
        var b = new GraphBuilder("Conv");
        int x = b.input("x", TensorType.f32(Dim.BATCH, Dim.of(c), Dim.of(h), Dim.of(w)), Origin.NONE);
        int kernel = b.param("w", TensorType.f32(Dim.of(o), Dim.of(c), Dim.of(k), Dim.of(k)), true, "zeros",
                Origin.NONE);
        int y = b.add(conv, List.of(x, kernel), Origin.NONE);
        int dx = b.add(new Conv2dGradInput(conv, h, w), List.of(y, kernel), Origin.NONE);
        int dw = b.add(new Conv2dGradWeight(conv, k, k), List.of(y, x), Origin.NONE);
        b.output("dx", dx);
        b.output("dw", dw);
        Graph g = b.build();
        int outH = (h + 2 * pad - k) / stride + 1;
        int outW = (w + 2 * pad - k) / stride + 1;
        long columns = (long) examples * c * k * k * outH * outW;
        var rules = CudaTarget.INSTANCE.memory();
        for (int id : List.of(y, dx)) {
            assertWithMessage(g.node(id).op().mnemonic()).that(rules.scratchBytes(g, g.node(id), batch))
                    .isEqualTo(4 * columns);
        }
        // The kernel gradient's group also holds its dy beside the columns: the runtime's size an example.
        long perExample = org.dnnc.runtime.cuda.CudaConv2d.weightGradientFloats(
                new org.dnnc.runtime.cpu.ConvGeometry(c, h, w, o, k, k, stride, stride, pad, pad, pad, pad));
        assertThat(perExample).isEqualTo((long) (c * k * k + o) * outH * outW);
        assertThat(rules.scratchBytes(g, g.node(dw), batch)).isEqualTo(4 * examples * perExample);
        assertThat(CudaTarget.INSTANCE.explainConvolutions(g, batch).get(0))
                .contains("else im2col of " + examples + " examples per strided-batched GEMM");
    }

    @Test
    void aPointwiseConvolutionNeedsNoColumns() throws Exception {
        Conv2d conv = new Conv2d(1, 1, 0, 0, 0, 0);
        var b = new GraphBuilder("Pointwise");
        int x = b.input("x", TensorType.f32(Dim.BATCH, Dim.of(8), Dim.of(7), Dim.of(7)), Origin.NONE);
        int kernel = b.param("w", TensorType.f32(Dim.of(4), Dim.of(8), Dim.of(1), Dim.of(1)), true, "zeros",
                Origin.NONE);
        int y = b.add(conv, List.of(x, kernel), Origin.NONE);
        int dw = b.add(new Conv2dGradWeight(conv, 1, 1), List.of(y, x), Origin.NONE);
        b.output("y", y);
        b.output("dw", dw);
        Graph g = b.build();
        assertThat(CudaTarget.INSTANCE.memory().scratchBytes(g, g.node(y), 64)).isEqualTo(0);
        // Its kernel gradient lays out the input (8 rows) and dy (4 rows) of 64 examples: one GEMM.
        assertThat(CudaTarget.INSTANCE.memory().scratchBytes(g, g.node(dw), 64)).isEqualTo(4L * 64 * (8 + 4) * 49);
        assertThat(org.dnnc.runtime.cuda.CudaConv2d.weightGradientFloats(
                org.dnnc.runtime.cpu.ConvGeometry.symmetric(8, 7, 7, 4, 1, 1, 0))).isEqualTo((8 + 4) * 49);
        assertThat(CpuTarget.INSTANCE.memory().scratchBytes(g, g.node(y), 64)).isEqualTo(0);
        assertThat(CudaTarget.INSTANCE.explainConvolutions(g, 64).get(0)).contains("a GEMM on the input");
    }

    /** The constants the plan mirrors are the runtime's: a test keeps them in step. */
    @Test
    void batchNormAndCrossEntropyScratchIsWhatTheRuntimesKernelsAskFor() throws Exception {
        assertThat(CudaScratch.BATCH_NORM_FLOATS_PER_CHANNEL * 24)
                .isEqualTo(org.dnnc.runtime.cuda.CudaBatchNorm.scratchSize(24));
        assertThat(CudaScratch.CROSS_ENTROPY_FLOATS_PER_ROW * 64)
                .isEqualTo(org.dnnc.runtime.cuda.CudaLosses.scratchSize(64));
        assertThat(CudaScratch.CROSS_ENTROPY_RESULT).isEqualTo(org.dnnc.runtime.cuda.CudaLosses.RESULT_SIZE);
        Lowering lowering = lower("fashion-cnn/src/main/dnn/FashionCnn.dnn", CudaTarget.INSTANCE);
        Graph train = lowering.program(Program.Kind.TRAIN).orElseThrow().graph();
        var rules = CudaTarget.INSTANCE.memory();
        int batchNorms = 0;
        for (Node n : train.nodes()) {
            if (n.op() instanceof BatchNorm) {
                int channels = n.type().dim(1).bound();
                assertThat(rules.scratchBytes(train, n, 64)).isEqualTo(4L * 6 * channels);
                // Nothing saved: the gradients' call recomputes the statistics from x (the CPU saves them).
                assertThat(rules.savedBytes(train, n, 64)).isEqualTo(0);
                batchNorms++;
            }
            if (n.op() instanceof org.dnnc.compiler.ir.CrossEntropy) {
                // The per-row sums, then the result the call copies the loss and the counts from.
                assertThat(rules.scratchBytes(train, n, 64)).isEqualTo(4L * (2 * 64 + 3));
            }
        }
        assertThat(batchNorms).isEqualTo(2);
    }

    /**
     * Every member of the call of a batch norm's gradients has its scratch, as any may lead the call
     * (the schedule decides): a bias gradient too, the beta gradient of a batch norm without a fused
     * ReLU, which the plain network has.
     */
    @Test
    void everyLeaderOfABatchNormsGradientsHasItsScratch(@TempDir Path dir) throws Exception {
        Path plain = dir.resolve("Plain.dnn");
        Files.writeString(plain, """
                network Plain {
                    input image: float[1, 8, 8];
                    input label: int;
                    logits = image -> conv2d(4, 3, padding: same, bias: false) -> batchnorm -> global_avgpool
                                   -> dense(3);
                    train {
                        loss      = cross_entropy(logits, label);
                        optimizer = sgd(lr: 0.1);
                        batch     = 4;
                        epochs    = 1;
                    }
                }
                """);
        Set<String> mnemonics = new TreeSet<>();
        int groups = 0;
        for (Path file : List.of(RepoPaths.root().resolve("examples/fashion-resnet/src/main/dnn/FashionResnet.dnn"),
                RepoPaths.root().resolve("examples/fashion-cnn/src/main/dnn/FashionCnn.dnn"), plain)) {
            NetworkModel model = Compiler.compile(SourceFile.read(file)).networks().get(0);
            Graph train = Lowering.of(model, CudaTarget.INSTANCE, true).program(Program.Kind.TRAIN).orElseThrow().graph();
            for (List<Node> members : CallGroups.of(train).all()) {
                if (members.stream().noneMatch(m -> m.op() instanceof BatchNormGradInput)) {
                    continue;
                }
                groups++;
                int channels = train.node(members.get(0).inputs().get(0)).type().dim(1).bound();
                // Each member could lead (schedule order decides), so each has the scratch.
                for (Node m : members) {
                    assertWithMessage(file + " " + m.op().mnemonic())
                            .that(CudaTarget.INSTANCE.memory().scratchBytes(train, m, 64))
                            .isEqualTo(4L * CudaScratch.BATCH_NORM_FLOATS_PER_CHANNEL * channels);
                    mnemonics.add(m.op().mnemonic());
                }
            }
        }
        // The ResNet's eight batch norms, the CNN's two and the plain network's one.
        assertThat(groups).isEqualTo(11);
        assertThat(mnemonics).containsAtLeast("bias_grad", "batchnorm_grad_input", "batchnorm_relu_grad_beta");
    }

    /** The GPU's recurrent and attention kernels are the CPU ones' twins: same workspace, same saved gates. */
    @Test
    void recurrentAndAttentionWorkspacesAreTheCpusLayout() throws Exception {
        long saved = 0;
        long scratch = 0;
        for (String example : List.of("fashion-gru/src/main/dnn/FashionGru.dnn",
                "seq2seq-attention/src/main/dnn/Reverser.dnn")) {
            Lowering lowering = lower(example, CudaTarget.INSTANCE);
            for (Program.Kind kind : Program.Kind.values()) {
                LoweredProgram program = lowering.program(kind).orElseThrow();
                Graph g = program.graph();
                int batch = program.plan().batch();
                for (Node n : g.nodes()) {
                    long cpuSaved = CpuTarget.INSTANCE.memory().savedBytes(g, n, batch);
                    long cpuScratch = CpuTarget.INSTANCE.memory().scratchBytes(g, n, batch);
                    if (ConvShape.ofCall(g, n).isPresent() || cpuSaved + cpuScratch == 0) {
                        continue;
                    }
                    long cudaSaved = CudaTarget.INSTANCE.memory().savedBytes(g, n, batch);
                    long cudaScratch = CudaTarget.INSTANCE.memory().scratchBytes(g, n, batch);
                    assertWithMessage(example + " " + n.op().mnemonic()).that(cudaSaved).isEqualTo(cpuSaved);
                    assertWithMessage(example + " " + n.op().mnemonic()).that(cudaScratch).isEqualTo(cpuScratch);
                    saved += cudaSaved;
                    scratch += cudaScratch;
                }
            }
        }
        assertWithMessage("the training programs save gates").that(saved).isGreaterThan(0L);
        assertWithMessage("the inference programs use workspaces").that(scratch).isGreaterThan(0L);
    }
}
