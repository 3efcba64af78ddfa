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
}
