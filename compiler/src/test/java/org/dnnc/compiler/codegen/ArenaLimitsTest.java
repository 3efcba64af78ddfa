package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.runtime.cpu.Arena;
import org.junit.jupiter.api.Test;

/**
 * Networks whose every tensor is small enough but whose arenas are not: code generation refuses
 * them at the network, instead of writing a class whose builder throws.
 */
class ArenaLimitsTest {

    @Test
    void aWorkspaceLargerThanAnArenaIsRefused() {
        // x and concat(x, x) are live together: 3 x 32 x 10,000,000 floats, each tensor within bounds.
        CodegenException e = refused("""
                network Wide {
                    input x: float[10000000];
                    output y = concat(x, x) -> dense(2);
                }
                """);
        assertThat(e).hasMessageThat().isEqualTo("network `Wide` needs a workspace of 3,840,000,000 bytes for its"
                + " inference program at a batch of 32; one arena holds at most 2,147,483,583 bytes: make the layers"
                + " smaller");
        assertThat(e.origin().span().line()).isEqualTo(1);
        assertThat(e.origin().span().column()).isEqualTo(1);
    }

    @Test
    void parametersAndOptimizerStateLargerThanAnArenaAreRefused() {
        // 200,000,000 weights fit in a tensor and in an arena, but not with Adam's two moments.
        CodegenException e = refused("""
                network Heavy {
                    input x: float[1000000];
                    input label: int;
                    logits = x -> dense(200);
                    output p = softmax(logits);
                    train {
                        loss      = cross_entropy(logits, label);
                        optimizer = adam(lr: 1e-3);
                        batch     = 2;
                    }
                }
                """);
        assertThat(e).hasMessageThat().isEqualTo("network `Heavy` needs 2,400,002,496 bytes for its parameters and"
                + " their optimizer state (2 values per parameter); one arena holds at most 2,147,483,583 bytes: make"
                + " the layers smaller");
    }

    @Test
    void theLimitIsTheRuntimeArenas() {
        long max = CpuTarget.INSTANCE.memory().maxArenaBytes();
        assertThat(max).isEqualTo(Integer.MAX_VALUE - Arena.ALIGNMENT);
        // Checked before allocating: no memory is taken to find out.
        assertThrows(IllegalArgumentException.class, () -> new Arena(max + 1));
    }

    private static CodegenException refused(String text) {
        SourceFile source = new SourceFile("Big.dnn", text);
        Compilation compilation = Compiler.compile(source);
        assertWithMessage("%s", compilation.diagnostics()).that(compilation.hasErrors()).isFalse();
        return assertThrows(CodegenException.class, () -> JavaGenerator.generate(compilation.networks().get(0), source));
    }
}
