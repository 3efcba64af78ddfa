package org.dnnc.compiler.autodiff;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.ir.DType;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Input;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.passes.PassListener;
import org.dnnc.compiler.passes.PassManager;
import org.dnnc.compiler.sema.NetworkModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The standard passes change how programs compute, never what: every output of every training
 * and inference program of the test networks is the same (to 1e-12) before and after them, and
 * the fusions actually happen.
 */
class OptimizedProgramsTest {
    private static final int BATCH = 3;

    @TestFactory
    Stream<DynamicTest> passesPreserveEveryOutput() throws Exception {
        return Stream.of("Rules.dnn", "Mlp.dnn", "Cnn.dnn").flatMap(OptimizedProgramsTest::networks)
                .flatMap(n -> Stream.of(
                        DynamicTest.dynamicTest(n.name() + " train", () -> check(n, Differentiator.train(n.graph()).graph())),
                        DynamicTest.dynamicTest(n.name() + " infer", () -> check(n, Inference.of(n.graph()).graph()))));
    }

    private static Stream<NetworkModel> networks(String file) {
        try {
            return Programs.compile(file).stream();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void check(NetworkModel network, Graph before) {
        Graph after = CpuTarget.INSTANCE.passes(true).run(before, PassListener.NONE);
        if (before.outputs().isEmpty()) {
            // A network with only a loss has nothing to infer.
            assertThat(after.nodes()).isEmpty();
            return;
        }
        assertThat(after.nodes().size()).isLessThan(before.nodes().size());
        assertThat(after.nodes().stream().map(n -> n.op().mnemonic())).contains("dense");
        Map<String, double[]> values = randomValues(before, new Random(network.name().hashCode()));
        Map<Integer, double[]> expected = new Interpreter(BATCH, values, 3).run(before);
        Map<Integer, double[]> actual = new Interpreter(BATCH, values, 3).run(after);
        before.outputs().forEach((name, id) -> {
            double[] e = expected.get(id);
            double[] a = actual.get(after.outputs().get(name));
            for (int i = 0; i < e.length; i++) {
                assertWithMessage("%s[%s] of %s", name, i, network.name()).that(a[i]).isWithin(1e-12).of(e[i]);
            }
        });
    }

    private static Map<String, double[]> randomValues(Graph graph, Random random) {
        Map<String, double[]> values = new HashMap<>();
        for (Node node : graph.nodes()) {
            int count = (int) node.type().elementsPerExample() * (node.op() instanceof Input ? BATCH : 1);
            double[] v = new double[count];
            for (int i = 0; i < count; i++) {
                v[i] = node.type().dtype() == DType.I32 ? random.nextInt(3) : random.nextGaussian();
            }
            if (node.op() instanceof Input input) {
                values.put(input.name(), v);
            } else if (node.op() instanceof Param p) {
                if (p.name().endsWith("running_var")) {
                    // A variance is positive.
                    for (int i = 0; i < count; i++) {
                        v[i] = Math.abs(v[i]) + 0.1;
                    }
                }
                values.put(p.name(), v);
            }
        }
        return values;
    }
}
