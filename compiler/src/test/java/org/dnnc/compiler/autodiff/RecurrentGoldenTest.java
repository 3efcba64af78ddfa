package org.dnnc.compiler.autodiff;

import static com.google.common.truth.Truth.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.passes.PassListener;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.CpuTarget;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The optimized training programs of recurrent layers against PyTorch ({@code golden/cases/rnn_tanh},
 * {@code lstm}, {@code gru}, {@code bilstm}): every step's state and the gradients of the input's
 * layer parameters, within the cases' tolerances (atol 2e-5, rtol 1e-4).
 *
 * <p>As in {@link EmbeddingGoldenTest}, a mean squared error against {@code target = y - dy·count/2}
 * feeds each case's upstream gradient {@code dy} through an ordinary loss.
 */
class RecurrentGoldenTest {

    @TestFactory
    Stream<DynamicTest> statesAndGradientsMatchPyTorch() throws Exception {
        Map<String, String> cases = Map.of("GoldenRnn", "rnn_tanh", "GoldenLstm", "lstm", "GoldenGru", "gru",
                "GoldenBilstm", "bilstm");
        return Programs.compile("GoldenRecurrent.dnn").stream()
                .map(n -> DynamicTest.dynamicTest(n.name(), () -> check(n, GoldenCase.of(cases.get(n.name()), 2e-5, 1e-4))));
    }

    private static void check(NetworkModel network, GoldenCase golden) throws Exception {
        Program train = Differentiator.train(network.graph());
        Graph graph = CpuTarget.INSTANCE.passes(true).run(train.graph(), PassListener.NONE);
        assertThat(IrPrinter.print(graph)).contains("_grad(");

        double[] y = golden.read("y.npy");
        double[] dy = golden.read("dy.npy");
        double[] target = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            target[i] = y[i] - dy[i] * y.length / 2;
        }
        Map<String, double[]> values = new HashMap<>(Map.of("x", golden.read("x.npy"), "target", target));
        for (String param : train.gradients().keySet()) {
            values.put(param, golden.read(pytorchName(param) + ".npy"));
        }
        Map<Integer, double[]> result = new Interpreter(2, values, 0).run(graph);

        golden.assertMatches("y", result.get(graph.outputs().get("y")), "y.npy");
        assertThat(train.gradients()).hasSize(network.name().equals("GoldenBilstm") ? 8 : 4);
        for (String param : train.gradients().keySet()) {
            golden.assertMatches("grad " + param, result.get(graph.outputs().get(Differentiator.GRADIENT_PREFIX + param)),
                    "d" + pytorchName(param) + ".npy");
        }
    }

    /** {@code states.gru1.weight_ih_l0} is PyTorch's {@code weight_ih_l0}: the last part of the name. */
    private static String pytorchName(String param) {
        return param.substring(param.lastIndexOf('.') + 1);
    }
}
