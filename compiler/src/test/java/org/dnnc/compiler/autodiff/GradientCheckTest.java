package org.dnnc.compiler.autodiff;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.dnnc.compiler.ir.DType;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Input;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.sema.NetworkModel;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every gradient rule against central finite differences, in double precision: for each network of
 * {@code autodiff/Rules.dnn}, {@code Cnn.dnn}, {@code Recurrent.dnn} and {@code Frozen.dnn} (frozen
 * batch norms between trained layers) and each of its trained parameters' elements, the program's gradient must match {@code (L(p + h) - L(p - h)) / 2h} with h = 1e-6 to
 * within 1e-6 relative to the larger magnitude (plus 1e-8 absolute, for gradients near zero).
 */
class GradientCheckTest {
    private static final int BATCH = 3;
    private static final double H = 1e-6;
    private static final double RTOL = 1e-6;
    private static final double ATOL = 1e-8;

    @TestFactory
    Stream<DynamicTest> gradientsMatchFiniteDifferences() throws Exception {
        return Stream.of("Rules.dnn", "Cnn.dnn", "Recurrent.dnn", "Frozen.dnn").flatMap(GradientCheckTest::compile)
                .map(n -> DynamicTest.dynamicTest(n.name(), () -> check(n)));
    }

    private static Stream<NetworkModel> compile(String resource) {
        try {
            return Programs.compile(resource).stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void check(NetworkModel network) throws AutodiffException {
        // As the pipeline builds it: frozen batch norms normalize with their running statistics.
        Program train = Differentiator.train(Frozen.forward(network.graph(), network.train()),
                Frozen.trainable(network.train()));
        Graph graph = train.graph();
        Map<String, double[]> values = randomValues(graph, new Random(network.name().hashCode()));
        Interpreter interpreter = new Interpreter(BATCH, values, 7);
        Map<Integer, double[]> result = interpreter.run(graph);
        int lossId = graph.outputs().get(Differentiator.LOSS);
        int checked = 0;
        for (Node node : graph.params()) {
            Param p = (Param) node.op();
            if (!p.trainable() || network.train().frozen().contains(p.name())) {
                assertWithMessage("gradient of %s", p.name()).that(train.gradients()).doesNotContainKey(p.name());
                continue;
            }
            assertWithMessage("gradient of %s", p.name()).that(train.gradients()).containsKey(p.name());
            double[] analytic = result.get(train.gradients().get(p.name()));
            double[] w = values.get(p.name());
            for (int i = 0; i < w.length; i++) {
                double saved = w[i];
                w[i] = saved + H;
                double up = interpreter.run(graph).get(lossId)[0];
                w[i] = saved - H;
                double down = interpreter.run(graph).get(lossId)[0];
                w[i] = saved;
                double numeric = (up - down) / (2 * H);
                double tolerance = ATOL + RTOL * Math.max(Math.abs(numeric), Math.abs(analytic[i]));
                assertWithMessage("d loss / d %s[%s] in %s", p.name(), i, network.name())
                        .that(analytic[i]).isWithin(Math.max(tolerance, 1e-7)).of(numeric);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(20);
    }

    /** Inputs, labels in range, targets in [0, 1] (as bce_with_logits expects), weights around ±0.5. */
    private static Map<String, double[]> randomValues(Graph graph, Random random) {
        Map<String, double[]> values = new HashMap<>();
        for (Node node : graph.nodes()) {
            if (node.op() instanceof Input input) {
                int perExample = (int) node.type().elementsPerExample();
                double[] v = new double[BATCH * perExample];
                for (int i = 0; i < v.length; i++) {
                    v[i] = node.type().dtype() == DType.I32 ? random.nextInt(3) : random.nextDouble();
                }
                values.put(input.name(), v);
            } else if (node.op() instanceof Param p) {
                double[] v = new double[(int) node.type().elementsPerExample()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = random.nextGaussian() * 0.5;
                    // A variance is positive; it is read by batch norms that use their running statistics.
                    v[i] = p.name().endsWith(".running_var") ? Math.abs(v[i]) + 0.5 : v[i];
                }
                values.put(p.name(), v);
            }
        }
        return values;
    }
}
