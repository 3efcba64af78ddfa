package org.dnnc.compiler.autodiff;

import static com.google.common.truth.Truth.assertThat;

import java.util.Map;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.passes.PassListener;
import org.dnnc.compiler.target.CpuTarget;
import org.junit.jupiter.api.Test;

/**
 * The optimized training program of an embedding lookup against PyTorch ({@code
 * golden/cases/embedding}, whose ids repeat one id): the looked-up vectors and the table's gradient,
 * within the case's tolerances (atol 1e-5, rtol 1e-4).
 *
 * <p>The case gives the gradient {@code dy} of its output rather than a loss. A mean squared error
 * against {@code target = y - dy·count/2} has exactly that gradient, {@code 2 (y - target) / count},
 * so the network of {@code GoldenEmbedding.dnn} receives it through its ordinary loss.
 */
class EmbeddingGoldenTest {
    private static final GoldenCase CASE = GoldenCase.of("embedding", 1e-5, 1e-4);
    private static final String TABLE = "vectors.embedding1.weight";

    @Test
    void vectorsAndTableGradientMatchPyTorch() throws Exception {
        Program train = Differentiator.train(Programs.compile("GoldenEmbedding.dnn").get(0).graph());
        Graph graph = CpuTarget.INSTANCE.passes(true).run(train.graph(), PassListener.NONE);
        assertThat(IrPrinter.print(graph)).contains("embedding_grad(");

        double[] y = CASE.read("y.npy");
        double[] dy = CASE.read("dy.npy");
        double[] target = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            target[i] = y[i] - dy[i] * y.length / 2;
        }
        Map<String, double[]> values =
                Map.of("ids", CASE.read("ids.npy"), TABLE, CASE.read("table.npy"), "target", target);
        Map<Integer, double[]> result = new Interpreter(2, values, 0).run(graph);

        CASE.assertMatches("y", result.get(graph.outputs().get("y")), "y.npy");
        CASE.assertMatches("grad table", result.get(graph.outputs().get(Differentiator.GRADIENT_PREFIX + TABLE)),
                "dtable.npy");
    }
}
