package org.dnnc.compiler.sema;

import static com.google.common.truth.Truth.assertThat;

import org.dnnc.compiler.ir.IrTypeException;
import org.dnnc.compiler.ir.LayerNorm;
import org.dnnc.compiler.ir.TensorType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code layernorm} has one shape rule, the IR op's: the layer accepts exactly the inputs that
 * {@link LayerNorm#parameterType} accepts, with the parameters it names, and otherwise reports the
 * op's own message.
 */
class LayerNormRuleTest extends ShapeTestSupport {

    @ParameterizedTest
    @ValueSource(strings = {"float", "float[64]", "float[T <= 12, 32]", "float[3, 4, 5]", "float[4, T <= 12]"})
    void theLayerAndTheOpAgree(String declaration) {
        TensorType x = compileOk("network N { input x: " + declaration + "; output y = x -> relu; }")
                .graph().inputs().get(0).type();
        String source = """
                network N {
                    input x: %s;
                    output y = x -> layernorm;
                }
                """.formatted(declaration);
        TensorType expected;
        try {
            expected = new LayerNorm(1e-5).parameterType(x);
        } catch (IrTypeException e) {
            String message = e.getMessage().replaceFirst("^layernorm: ", "");
            assertError(source, "`layernorm`: " + message, 3, 21);
            return;
        }
        NetworkModel m = compileOk(source);
        assertThat(params(m)).containsExactly("y.layernorm1.weight", expected.toString(), "y.layernorm1.bias",
                expected.toString()).inOrder();
    }
}
