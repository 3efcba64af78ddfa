package org.dnnc.compiler.memory;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.AutodiffException;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.autodiff.Inference;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.Binary;
import org.dnnc.compiler.ir.BinaryKind;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.testing.RepoPaths;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The memory planner: plans are valid, aligned, and close to the lower bound. */
class MemoryPlannerTest {

    /** Every program that can be differentiated today, from the examples and the test networks. */
    private static List<Graph> programs() throws Exception {
        List<Path> files = new ArrayList<>(RepoPaths.exampleFiles());
        files.add(RepoPaths.testResources().resolve("autodiff/Rules.dnn"));
        files.add(RepoPaths.testResources().resolve("autodiff/Mlp.dnn"));
        List<Graph> graphs = new ArrayList<>();
        for (Path file : files) {
            Compilation c = Compiler.compile(SourceFile.read(file));
            for (var n : c.networks()) {
                graphs.add(Inference.of(n.graph()).graph());
                try {
                    graphs.add(Differentiator.train(n.graph()).graph());
                } catch (AutodiffException e) {
                    // Convolutional and recurrent networks train once their gradients land.
                }
            }
        }
        return graphs;
    }

    @TestFactory
    Stream<DynamicTest> plansNeverShareBytesBetweenValuesLiveTogether() throws Exception {
        return programs().stream().flatMap(g -> Stream.of(1, 7, 64).map(batch ->
                DynamicTest.dynamicTest(g.name() + " batch " + batch, () -> assertValid(MemoryPlanner.plan(g, batch, CpuTarget.INSTANCE.memory())))));
    }

    @Test
    void fashionMlpTrainingPlanIsWithinTenPercentOfTheLowerBound() throws Exception {
        Path mlp = RepoPaths.root().resolve("examples/fashion-mlp/src/main/dnn/FashionMlp.dnn");
        Graph train = Differentiator.train(Compiler.compile(SourceFile.read(mlp)).networks().get(0).graph()).graph();
        MemoryPlan plan = MemoryPlanner.plan(train, 64, CpuTarget.INSTANCE.memory());
        assertThat(plan.arenaBytes()).isAtMost((long) (1.10 * plan.lowerBound()));
        assertThat(plan.arenaBytes()).isLessThan(plan.naiveBytes());
        // The largest value: the gradient of the first weight, 256 x 784 floats.
        assertThat(plan.buffers().stream().mapToLong(Buffer::bytes).max().getAsLong()).isEqualTo(256 * 784 * 4);
        // The flattened image reuses the input's bytes.
        assertThat(plan.aliases()).containsEntry(2, 0);
        assertThat(plan.bufferOf(2)).isEqualTo(plan.bufferOf(0));
        assertThat(plan.persistentBytes()).isEqualTo(CpuTarget.INSTANCE.memory().align(256 * 784 * 4) + CpuTarget.INSTANCE.memory().align(256 * 4)
                + CpuTarget.INSTANCE.memory().align(128 * 256 * 4) + CpuTarget.INSTANCE.memory().align(128 * 4)
                + CpuTarget.INSTANCE.memory().align(10 * 128 * 4) + CpuTarget.INSTANCE.memory().align(10 * 4));
    }

    @Test
    void elementwiseOpsRunInPlaceOnlyOverOperandsThatDieThere() throws Exception {
        var b = new GraphBuilder("InPlace");
        TensorType t = TensorType.f32(Dim.BATCH, Dim.of(16));
        int x = b.input("x", t, Origin.NONE);
        int a = b.add(new Activation(ActivationKind.TANH, 0), List.of(x), Origin.NONE);
        int dies = b.add(new Activation(ActivationKind.RELU, 0), List.of(a), Origin.NONE);
        int kept = b.add(new Activation(ActivationKind.SIGMOID, 0), List.of(dies), Origin.NONE);
        int sum = b.add(new Binary(BinaryKind.ADD), List.of(kept, dies), Origin.NONE);
        b.output("y", sum);
        MemoryPlan plan = MemoryPlanner.plan(b.build(), 8, CpuTarget.INSTANCE.memory());
        // relu overwrites tanh, which nothing reads afterwards; the input belongs to the caller.
        assertThat(plan.aliases()).containsEntry(dies, a);
        assertThat(plan.aliases()).doesNotContainKey(a);
        // sigmoid cannot overwrite relu's result, which add still reads; add can overwrite either.
        assertThat(plan.aliases()).doesNotContainKey(kept);
        assertThat(plan.aliases()).containsKey(sum);
        assertValid(plan);
    }

    /** Random interval sets (no graph needed): the best-fit placement is always valid and never below the bound. */
    @Test
    void randomIntervalsArePlacedValidly() throws Exception {
        Random random = new Random(42);
        for (int trial = 0; trial < 200; trial++) {
            var builder = new GraphBuilder("Random");
            int x = builder.input("x", TensorType.f32(Dim.BATCH,
                    Dim.of(1 + random.nextInt(50))), Origin.NONE);
            List<Integer> values = new ArrayList<>(List.of(x));
            int nodes = 2 + random.nextInt(30);
            for (int i = 0; i < nodes; i++) {
                int a = values.get(random.nextInt(values.size()));
                int b = values.get(random.nextInt(values.size()));
                var op = builder.type(a).equals(builder.type(b)) && random.nextBoolean()
                        ? new Binary(BinaryKind.ADD)
                        : null;
                int id = op != null
                        ? builder.add(op, List.of(a, b), Origin.NONE)
                        : builder.add(new Activation(ActivationKind.RELU, 0),
                                List.of(a), Origin.NONE);
                values.add(id);
            }
            builder.output("y", values.get(values.size() - 1));
            builder.output("z", values.get(random.nextInt(values.size())));
            assertValid(MemoryPlanner.plan(builder.build(), 1 + random.nextInt(16), CpuTarget.INSTANCE.memory()));
        }
    }

    private static void assertValid(MemoryPlan plan) {
        List<Buffer> buffers = plan.buffers();
        for (Buffer b : buffers) {
            assertWithMessage("%s offset", b.label()).that(b.offset() % CpuTarget.ALIGNMENT).isEqualTo(0);
            assertWithMessage("%s size", b.label()).that(b.bytes() % CpuTarget.ALIGNMENT).isEqualTo(0);
            assertThat(b.offset() + b.bytes()).isAtMost(plan.arenaBytes());
        }
        for (int i = 0; i < buffers.size(); i++) {
            for (int j = i + 1; j < buffers.size(); j++) {
                Buffer a = buffers.get(i);
                Buffer b = buffers.get(j);
                assertWithMessage("%s and %s are live together but share bytes", a, b)
                        .that(a.overlapsInTime(b) && a.overlapsInSpace(b)).isFalse();
            }
        }
        assertThat(plan.arenaBytes()).isAtLeast(plan.lowerBound());
        assertThat(plan.arenaBytes()).isAtMost(plan.naiveBytes());
    }
}
