package org.dnnc.compiler.memory;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.util.List;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.BatchNormGradGamma;
import org.dnnc.compiler.ir.BatchNormGradInput;
import org.dnnc.compiler.ir.BatchNormStatistics;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.lowering.LoweredProgram;
import org.dnnc.compiler.lowering.Lowering;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.target.CudaTarget;
import org.dnnc.compiler.testing.RepoPaths;
import org.junit.jupiter.api.Test;

/**
 * A training batchnorm's statistics, saved by its forward call for its gradients' call on the CPU:
 * which gradient reads which batchnorm's, and that the planner keeps them until that call even
 * where the gradients do not read the batchnorm's result.
 */
class SavedStatisticsTest {

    private static LoweredProgram train(String target) throws Exception {
        SourceFile file = SourceFile.read(RepoPaths.testResources().resolve("codegen/ConvNet.dnn"));
        NetworkModel model = Compiler.compile(file).networks().get(0);
        var t = target.equals("cpu") ? CpuTarget.INSTANCE : CudaTarget.INSTANCE;
        return Lowering.of(model, t, true).program(Program.Kind.TRAIN).orElseThrow();
    }

    @Test
    void everyTrainingBatchnormSavesTwoFloatsAChannelUntilItsGradientsCall() throws Exception {
        LoweredProgram program = train("cpu");
        Graph g = program.graph();
        List<Node> batchNorms = g.nodes().stream().filter(BatchNormStatistics::isTraining).toList();
        // Four batchnorms (stem, down, proj, the dense layer's); the first conv's input, the image,
        // needs no gradient, but every batchnorm's gamma does.
        assertThat(batchNorms).hasSize(4);
        boolean sawOneWhoseResultDiesEarlier = false;
        for (Node bn : batchNorms) {
            List<Node> readers = BatchNormStatistics.readersOf(g, bn);
            assertWithMessage("readers of %s", bn).that(readers).isNotEmpty();
            int channels = g.node(bn.inputs().get(0)).type().dim(1).bound();
            Buffer saved = program.plan().buffers().stream()
                    .filter(b -> b.role() == Buffer.Role.SAVED && b.value() == bn.id()).findFirst().orElseThrow();
            assertThat(saved.bytes()).isAtLeast(4L * 2 * channels);
            assertThat(saved.start()).isEqualTo(g.nodes().indexOf(bn));
            for (Node reader : readers) {
                assertThat(BatchNormStatistics.forwardOf(g, reader)).hasValue(bn);
                assertThat(saved.end()).isAtLeast(g.nodes().indexOf(reader));
            }
            if (program.plan().bufferOf(bn.id()).end() < g.nodes().indexOf(readers.get(0))) {
                sawOneWhoseResultDiesEarlier = true;
            }
        }
        // `proj`'s batchnorm has no ReLU: its gradients do not read its result, which dies first.
        assertThat(sawOneWhoseResultDiesEarlier).isTrue();
    }

    @Test
    void theGpuTargetSavesNone() throws Exception {
        LoweredProgram program = train("cuda");
        assertThat(program.plan().buffers().stream()
                .filter(b -> b.role() == Buffer.Role.SAVED)
                .filter(b -> BatchNormStatistics.isTraining(program.graph().node(b.value())))
                .toList()).isEmpty();
    }

    /**
     * Two batchnorms of one x: a gradient with gamma finds its own; one without (gamma's gradient
     * names dy and x only) matches neither and recomputes, so only the first is read.
     */
    @Test
    void aGradientWithoutGammaOfAnXThatTwoBatchnormsReadMatchesNeither() throws Exception {
        var b = new GraphBuilder("Two");
        int x = b.input("x", TensorType.f32(Dim.BATCH, Dim.of(3)), Origin.NONE);
        int[] bn = new int[2];
        int[] gamma = new int[2];
        for (int i = 0; i < 2; i++) {
            TensorType channels = TensorType.f32(Dim.of(3));
            gamma[i] = b.param("gamma" + i, channels, true, "ones", Origin.NONE);
            int beta = b.param("beta" + i, channels, true, "zeros", Origin.NONE);
            int mean = b.param("mean" + i, channels, false, "zeros", Origin.NONE);
            int var = b.param("var" + i, channels, false, "ones", Origin.NONE);
            bn[i] = b.add(new BatchNorm(1e-5, 0.1), List.of(x, gamma[i], beta, mean, var), Origin.NONE);
        }
        int dx = b.add(new BatchNormGradInput(1e-5), List.of(bn[1], x, gamma[1]), Origin.NONE);
        int dgamma = b.add(new BatchNormGradGamma(1e-5), List.of(bn[0], x), Origin.NONE);
        b.output("dx", dx);
        b.output("dgamma", dgamma);
        Graph g = b.build();
        assertThat(BatchNormStatistics.forwardOf(g, g.node(dx))).hasValue(g.node(bn[1]));
        assertThat(BatchNormStatistics.forwardOf(g, g.node(dgamma))).isEmpty();
        assertThat(BatchNormStatistics.readersOf(g, g.node(bn[0]))).isEmpty();
        assertThat(BatchNormStatistics.readersOf(g, g.node(bn[1]))).containsExactly(g.node(dx));
    }
}
