package org.dnnc.compiler.sema;

import static com.google.common.truth.Truth.assertThat;

import java.util.List;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.diag.Diagnostic;
import org.junit.jupiter.api.Test;

/**
 * {@code freeze(v)} resolved to the parameters it keeps fixed: everything {@code v} depends on,
 * through other named values, and the warnings and errors of freezes that do not make sense.
 */
class FreezeTest extends ShapeTestSupport {

    private static String net(String directives) {
        return """
                network N {
                    input image: float[1, 8, 8];
                    input label: int;
                    stem = image -> flatten -> dense(16) -> relu;
                    body = stem -> dense(8) -> batchnorm -> relu;
                    logits = body -> dense(4);
                    output probs = softmax(logits);
                    train {
                        loss = cross_entropy(logits, label);
                %s    }
                }
                """.formatted(directives);
    }

    @Test
    void aValueFreezesEverythingItDependsOn() {
        TrainConfig t = compileOk(net("        freeze(body);\n")).train();
        // stem's layers are written in another value's definition, and frozen all the same.
        assertThat(t.frozen()).containsExactly("stem.dense1.weight", "stem.dense1.bias", "body.dense1.weight",
                "body.dense1.bias", "body.batchnorm1.weight", "body.batchnorm1.bias", "body.batchnorm1.running_mean",
                "body.batchnorm1.running_var");
    }

    @Test
    void withoutFreezeNothingIsFrozen() {
        assertThat(compileOk(net("")).train().frozen()).isEmpty();
    }

    @Test
    void aNamedLayerFreezesItsOwnParameters() {
        TrainConfig t = compileOk("""
                network N {
                    input x: float[4];
                    input label: int;
                    shared = dense(4);
                    h = x -> dense(4) -> shared -> relu -> shared;
                    logits = h -> dense(3);
                    train {
                        loss = cross_entropy(logits, label);
                        freeze(shared);
                    }
                }
                """).train();
        assertThat(t.frozen()).containsExactly("shared.dense1.weight", "shared.dense1.bias");
    }

    @Test
    void aMisspeltValueIsAPositionedErrorWithTheClosestName() {
        Diagnostic d = assertError(net("        freeze(bdy);\n"),
                "argument `value` of `freeze` must be the name of a value in the network", 10, 16);
        assertThat(d.hints()).containsExactly("did you mean `body`?");
    }

    @Test
    void freezingEverythingTheLossDependsOnIsAWarning() {
        Compilation c = compile(net("        freeze(body);\n        freeze(logits);\n"));
        assertThat(errors(c)).isEmpty();
        List<Diagnostic> w = warnings(c);
        assertThat(w).hasSize(1);
        assertAt(w.get(0), "every parameter the loss depends on is frozen, so training changes nothing", 11, 9);
        assertThat(w.get(0).hints()).containsExactly(
                "leave the layers that should learn, such as a new head, out of `freeze`");
    }

    @Test
    void freezingTheBodyAloneIsNoWarning() {
        assertThat(compile(net("        freeze(body);\n")).diagnostics()).isEmpty();
    }

    @Test
    void freezingAnInputFreezesNothingAndSaysSo() {
        Compilation c = compile(net("        freeze(image);\n"));
        assertThat(errors(c)).isEmpty();
        assertThat(warnings(c)).hasSize(1);
        assertAt(warnings(c).get(0), "`freeze(image)` freezes nothing: `image` depends on no parameter", 10, 9);
    }

    @Test
    void aValueInErrorGetsNoSecondError() {
        assertError(net("        freeze(body);\n").replace("dense(8) -> batchnorm", "dense(8) -> batchnrom"),
                "unknown layer `batchnrom`", 5, 32);
    }

    @Test
    void freezingANumberIsAnError() {
        assertError("""
                network N {
                    input x: float[4];
                    input label: int;
                    width = 3;
                    logits = x -> dense(width);
                    train {
                        loss = cross_entropy(logits, label);
                        freeze(width);
                    }
                }
                """, "`freeze` needs a tensor value or a named layer, but `width` is an integer (3)", 8, 9);
    }
}
