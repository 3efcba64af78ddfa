package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.TypeName;
import java.nio.IntBuffer;
import java.util.Map;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.lowering.LoweredProgram;
import org.dnnc.compiler.lowering.Lowering;
import org.dnnc.compiler.target.CpuTarget;
import org.junit.jupiter.api.Test;

/**
 * The lowered programs of a network with an embedding are emitted whole on the CPU: the lookup and
 * the table's gradient each become one call of the runtime's {@code Embedding}, reading the ids
 * from an {@code IntBuffer} view of the arena, with every id of the batch as a row.
 */
class EmbeddingEmissionTest {
    private static final String SOURCE = """
            network Tagger {
                input ids: int[4];
                input label: int;
                logits = ids -> embedding(vocab: 7, dim: 3) -> flatten -> dense(2);
                output scores = logits;
                train { loss = cross_entropy(logits, label); }
            }
            """;
    private static final String KERNEL = "org.dnnc.runtime.cpu.Embedding";
    private static final Map<String, String> PARAMS = Map.of("logits.embedding1.weight", "table",
            "logits.dense1.weight", "weight", "logits.dense1.bias", "bias");

    @Test
    void trainingLooksUpRowsAndScattersTheirGradientsIntoTheTable() throws Exception {
        ProgramEmitter train = emitter("t", lowering().program(Program.Kind.TRAIN).orElseThrow());
        String body = CodeBlock.join(train.body(), "").toString();
        String ids = train.inputField("ids");

        assertThat(body).containsMatch(KERNEL.replace(".", "\\.") + "\\.forward\\(" + ids
                + ", table, t\\d+_logits_embedding1, n \\* 4, 7, 3\\);");
        assertThat(body).containsMatch(KERNEL.replace(".", "\\.") + "\\.backward\\(" + ids
                + ", t\\d+_\\w+, t\\d+_d_logits_embedding1_weight, n \\* 4, 7, 3\\);");
        assertThat(typeOf(train, ids)).isEqualTo(TypeName.get(IntBuffer.class));
    }

    @Test
    void inferenceOnlyLooksUp() throws Exception {
        ProgramEmitter infer = emitter("i", lowering().inference());
        String body = CodeBlock.join(infer.body(), "").toString();
        assertThat(body).contains(KERNEL + ".forward(" + infer.inputField("ids") + ", table, ");
        assertThat(body).doesNotContain(KERNEL + ".backward(");
    }

    private static Lowering lowering() throws Exception {
        Compilation c = Compiler.compile(new SourceFile("Tagger.dnn", SOURCE));
        assertThat(c.hasErrors()).isFalse();
        return Lowering.of(c.networks().get(0), CpuTarget.INSTANCE, true);
    }

    private static ProgramEmitter emitter(String prefix, LoweredProgram program) {
        return new ProgramEmitter(prefix, program.graph(), program.plan(), PARAMS, "Tagger.dnn", new Geometries(),
                CpuTarget.INSTANCE.kernels(), false);
    }

    private static TypeName typeOf(ProgramEmitter program, String field) {
        return program.fieldSpecs().stream().filter(f -> f.name().equals(field)).map(FieldSpec::type).findFirst()
                .orElseThrow();
    }
}
