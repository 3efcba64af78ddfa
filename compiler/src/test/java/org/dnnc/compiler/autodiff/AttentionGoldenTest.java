package org.dnnc.compiler.autodiff;

import static com.google.common.truth.Truth.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.passes.PassListener;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.CpuTarget;
import org.junit.jupiter.api.Test;

/**
 * The optimized training program of an attention against PyTorch ({@code
 * golden/cases/additive_attention}): the context, the weights (`attention_weights`) and the
 * gradients of {@code W} and {@code v}, within the case's tolerances (atol 1e-5, rtol 1e-4). The
 * query's and the values' gradients are checked against the same case by the runtime's {@code
 * GoldenAttentionTest}, and the generated code against this program by {@code GeneratedRecurrentTest}.
 *
 * <p>As in {@link RecurrentGoldenTest}, a mean squared error against {@code target = y -
 * dy·count/2} feeds the case's upstream gradient {@code dcontext} through an ordinary loss.
 */
class AttentionGoldenTest {

    @Test
    void contextWeightsAndGradientsMatchPyTorch() throws Exception {
        NetworkModel network = Programs.compile("GoldenAttention.dnn").get(0);
        GoldenCase golden = GoldenCase.of("additive_attention", 1e-5, 1e-4);
        Program train = Differentiator.train(network.graph());
        Graph graph = CpuTarget.INSTANCE.passes(true).run(train.graph(), PassListener.NONE);
        assertThat(IrPrinter.print(graph)).contains("additive_attention_grad(");

        double[] y = golden.read("context.npy");
        double[] dy = golden.read("dcontext.npy");
        double[] target = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            target[i] = y[i] - dy[i] * y.length / 2;
        }
        Map<String, double[]> values = new HashMap<>(Map.of("g", golden.read("g.npy"), "z", golden.read("z.npy"),
                "target", target));
        values.put("context.attention1.weight", golden.read("W.npy"));
        values.put("context.attention1.score", golden.read("v.npy"));
        Map<Integer, double[]> result = new Interpreter(2, values, 0).run(graph);

        golden.assertMatches("context", result.get(graph.outputs().get("y")), "context.npy");
        golden.assertMatches("alpha", result.get(graph.outputs().get("alpha")), "alpha.npy");
        assertThat(train.gradients().keySet()).containsExactly("context.attention1.weight",
                "context.attention1.score");
        golden.assertMatches("grad W", result.get(graph.outputs().get(Differentiator.GRADIENT_PREFIX
                + "context.attention1.weight")), "dW.npy");
        golden.assertMatches("grad v", result.get(graph.outputs().get(Differentiator.GRADIENT_PREFIX
                + "context.attention1.score")), "dv.npy");
    }
}
