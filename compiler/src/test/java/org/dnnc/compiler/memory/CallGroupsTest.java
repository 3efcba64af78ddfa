package org.dnnc.compiler.memory;

import static com.google.common.truth.Truth.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.autodiff.Inference;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.CrossEntropy;
import org.dnnc.compiler.ir.CrossEntropyGrad;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Recurrent;
import org.dnnc.compiler.ir.RecurrentGrad;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.testing.RepoPaths;
import org.junit.jupiter.api.Test;

/** Which nodes one call computes together, and that the planner keeps their bytes apart. */
class CallGroupsTest {

    private static Graph mlp() throws Exception {
        Path file = RepoPaths.root().resolve("examples/fashion-mlp/src/main/dnn/FashionMlp.dnn");
        return Compiler.compile(SourceFile.read(file)).networks().get(0).graph();
    }

    @Test
    void theLossAndItsGradientShareOneSoftmax() throws Exception {
        Graph train = Differentiator.train(mlp()).graph();
        CallGroups groups = CallGroups.of(train);
        Node loss = train.nodes().stream().filter(n -> n.op() instanceof CrossEntropy).findFirst().orElseThrow();
        Node gradient = train.nodes().stream().filter(n -> n.op() instanceof CrossEntropyGrad).findFirst().orElseThrow();
        assertThat(groups.ledBy(loss.id())).containsExactly(loss, gradient).inOrder();
        assertThat(groups.follows(gradient.id())).isTrue();

        // Called at the loss's place, the gradient's bytes must not be those of anything live there.
        MemoryPlan plan = MemoryPlanner.plan(train, 64, CpuTarget.INSTANCE.memory());
        Buffer g = plan.bufferOf(gradient.id());
        for (int operand : List.of(loss.inputs().get(0), loss.inputs().get(1), loss.id())) {
            Buffer b = plan.bufferOf(operand);
            boolean overlap = g.offset() < b.offset() + b.bytes() && b.offset() < g.offset() + g.bytes();
            assertThat(overlap).isFalse();
        }
    }

    @Test
    void aProgramWithoutTheGradientHasNoGroup() throws Exception {
        Graph infer = Inference.of(mlp()).graph();
        assertThat(CallGroups.of(infer).all()).isEmpty();
    }

    /**
     * The gradients of a recurrent layer come from one pass back through time, and read what its
     * forward call saved: that workspace must still be live when the group is called.
     */
    @Test
    void aRecurrentLayersGradientsAreOneCall() throws Exception {
        Path file = RepoPaths.testResources().resolve("cli/sequence_classifier.dnn");
        Graph train = Differentiator.train(Compiler.compile(SourceFile.read(file)).networks().get(0).graph()).graph();
        CallGroups groups = CallGroups.of(train);
        MemoryPlan plan = MemoryPlanner.plan(train, 16, CpuTarget.INSTANCE.memory());
        List<Node> layers = train.nodes().stream().filter(n -> n.op() instanceof Recurrent).toList();
        assertThat(layers).hasSize(2);
        for (Node layer : layers) {
            List<Node> gradients = train.users(layer.id()).stream()
                    .filter(u -> u.op() instanceof RecurrentGrad && u.inputs().get(1) == layer.id()).toList();
            // The first layer's input is the network's: its weights and biases get gradients, x does not.
            assertThat(gradients).hasSize(layer == layers.get(0) ? 4 : 5);
            assertThat(groups.ledBy(gradients.get(0).id())).containsExactlyElementsIn(gradients).inOrder();
            int call = train.nodes().indexOf(gradients.get(0));
            Buffer saved = plan.buffers().stream()
                    .filter(b -> b.role() == Buffer.Role.SAVED && b.value() == layer.id()).findFirst().orElseThrow();
            assertThat(saved.start()).isEqualTo(train.nodes().indexOf(layer));
            assertThat(saved.end()).isAtLeast(call);
        }
    }
}
