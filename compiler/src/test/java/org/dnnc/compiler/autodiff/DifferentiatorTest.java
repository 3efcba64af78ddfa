package org.dnnc.compiler.autodiff;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.testing.Golden;
import org.dnnc.compiler.testing.RepoPaths;
import org.junit.jupiter.api.Test;

/** The training and inference programs of a small MLP, pinned as dumps, and the errors. */
class DifferentiatorTest {

    @Test
    void trainingProgramDump() throws Exception {
        Graph forward = Programs.compile("Mlp.dnn").get(0).graph();
        Golden.check(RepoPaths.testResources().resolve("golden/autodiff/Mlp.forward.ir"), IrPrinter.print(forward));
        Golden.check(RepoPaths.testResources().resolve("golden/autodiff/Mlp.train.ir"),
                IrPrinter.print(Differentiator.train(forward).graph()));
    }

    @Test
    void inferenceProgramDropsDropoutAndTheLoss() throws Exception {
        Graph forward = Programs.compile("Mlp.dnn").get(0).graph();
        Graph infer = Inference.of(forward).graph();
        Golden.check(RepoPaths.testResources().resolve("golden/autodiff/Mlp.infer.ir"), IrPrinter.print(infer));
        assertThat(infer.outputs().keySet()).containsExactly("probs");
        assertThat(infer.nodes().stream().map(n -> n.op().mnemonic()).toList())
                .containsNoneOf("dropout", "dropout_mask", "cross_entropy");
        assertThat(infer.inputs()).hasSize(1);
    }

    @Test
    void everyTrainableParameterGetsAGradientOfItsOwnShape() throws Exception {
        Program train = Differentiator.train(Programs.compile("Mlp.dnn").get(0).graph());
        Graph g = train.graph();
        List<String> params = g.params().stream().map(n -> ((Param) n.op()).name()).toList();
        assertThat(train.gradients().keySet()).containsExactlyElementsIn(params).inOrder();
        for (Node p : g.params()) {
            int grad = train.gradients().get(((Param) p.op()).name());
            assertThat(g.node(grad).type()).isEqualTo(p.type());
            assertThat(g.outputs()).containsEntry(Differentiator.GRADIENT_PREFIX + ((Param) p.op()).name(), grad);
        }
    }

    @Test
    void frozenParametersGetNoGradient() throws Exception {
        Program train = Differentiator.train(Programs.compile("Mlp.dnn").get(0).graph(),
                name -> !name.startsWith("logits.dense1."));
        assertThat(train.gradients().keySet()).containsExactly("logits.dense2.weight", "logits.dense2.bias").inOrder();
        // Nothing is propagated below the first trainable layer.
        assertThat(IrPrinter.print(train.graph())).doesNotContain("relu_grad");
    }

    @Test
    void aValueUsedTwiceSumsItsGradients() throws Exception {
        Graph forward = compile("""
                network Twice {
                    input x: float[4];
                    input t: float[4];
                    h = x -> dense(4);
                    train { loss = mse(h * h, t); }
                }
                """);
        String dump = IrPrinter.print(Differentiator.train(forward).graph());
        assertThat(dump).containsMatch("add\\(%\\d+, %\\d+\\) : f32\\[N,4\\]");
    }

    @Test
    void aNetworkWithoutLossCannotBeTrained() throws Exception {
        Graph forward = compile("network Plain { input x: float[4]; output y = x -> dense(2); }");
        AutodiffException e = assertThrows(AutodiffException.class, () -> Differentiator.train(forward));
        assertThat(e).hasMessageThat().isEqualTo("network `Plain` has no loss to train; add a `train` section");
    }

    @Test
    void anOpWithoutAGradientRuleIsNamedWithItsSource() throws Exception {
        Graph forward = compile("""
                network Seq {
                    input tokens: int[T <= 8];
                    input label: int;
                    logits = tokens -> embedding(vocab: 50, dim: 4) -> lstm(6) -> repeat(3) -> gru(5) -> dense(2);
                    train { loss = cross_entropy(logits, label); }
                }
                """);
        AutodiffException e = assertThrows(AutodiffException.class, () -> Differentiator.train(forward));
        assertThat(e).hasMessageThat().isEqualTo("training through `repeat` is not supported yet");
        assertThat(e.origin().span().line()).isEqualTo(4);
        assertThat(e.origin().path()).isEqualTo("logits.repeat1");
    }

    private static Graph compile(String source) {
        var c = Compiler.compile(new SourceFile("test.dnn", source));
        assertThat(c.diagnostics().stream().filter(d -> d.severity().name().equals("ERROR")).toList()).isEmpty();
        return c.networks().get(0).graph();
    }
}
