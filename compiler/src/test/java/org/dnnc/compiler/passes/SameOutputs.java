package org.dnnc.compiler.passes;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.dnnc.compiler.autodiff.Interpreter;
import org.dnnc.compiler.ir.DType;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Input;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;

/** The numeric half of a pass's before/after test: the rewritten graph computes what the original did. */
final class SameOutputs {
    /** Labels are drawn from this many classes. */
    private static final int CLASSES = 2;

    private SameOutputs() {}

    /**
     * Runs both graphs through the reference interpreter on the same random inputs and parameters
     * (batch {@code batch}) and compares every output, gradients included, each value within 1e-9
     * of the largest magnitude in its tensor (fusion computes the same sums in the same order, so
     * the results should in fact be identical).
     */
    static void assertSameOutputs(Graph before, Graph after, int batch, long seed) {
        assertThat(after.outputs().keySet()).containsExactlyElementsIn(before.outputs().keySet()).inOrder();
        Map<String, double[]> values = randomValues(before, batch, new SplittableRandom(seed));
        Map<Integer, double[]> expected = new Interpreter(batch, values, seed).run(before);
        Map<Integer, double[]> actual = new Interpreter(batch, values, seed).run(after);
        before.outputs().forEach((name, id) -> {
            double[] e = expected.get(id);
            double[] a = actual.get(after.outputs().get(name));
            assertWithMessage("%s size", name).that(a.length).isEqualTo(e.length);
            double scale = 0;
            for (double v : e) {
                scale = Math.max(scale, Math.abs(v));
            }
            // Every output is of order one; one (nearly) all zeros would make the comparison prove nothing.
            assertWithMessage("largest magnitude of %s", name).that(scale).isGreaterThan(1e-3);
            for (int i = 0; i < e.length; i++) {
                assertWithMessage("%s[%s]", name, i).that(a[i]).isWithin(1e-9 * scale).of(e[i]);
            }
        });
    }

    private static Map<String, double[]> randomValues(Graph graph, int batch, SplittableRandom random) {
        Map<String, double[]> values = new HashMap<>();
        for (Node node : graph.nodes()) {
            if (!(node.op() instanceof Input) && !(node.op() instanceof Param)) {
                continue;
            }
            int count = (int) node.type().elementsPerExample() * (node.op() instanceof Input ? batch : 1);
            double[] v = new double[count];
            for (int i = 0; i < count; i++) {
                v[i] = node.type().dtype() == DType.I32 ? random.nextInt(CLASSES) : random.nextDouble(-1.5, 1.5);
            }
            if (node.op() instanceof Param p && p.name().endsWith("var")) {
                // A variance is positive (only inference reads the running averages, but keep them valid).
                for (int i = 0; i < count; i++) {
                    v[i] = Math.abs(v[i]) + 0.1;
                }
            }
            values.put(node.op() instanceof Input in ? in.name() : ((Param) node.op()).name(), v);
        }
        return values;
    }
}
