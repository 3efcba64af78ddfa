package org.dnnc.compiler.lowering;

import static com.google.common.truth.Truth.assertThat;

import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.codegen.JavaGenerator;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.CpuTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which training programs get a sparse embedding gradient: plain SGD only, since every other
 * optimizer or a weight penalty moves rows whose gradient is zero; and the generated class of a
 * dense one keeps the dense calls.
 */
class SparseEmbeddingGradientsTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "sgd(lr: 0.1)                             |                         | true",
            "sgd(lr: 0.1, momentum: 0.0)              |                         | true",
            "sgd(lr: 0.1)                             | clip_norm = 1.0;        | true",
            "sgd(lr: 0.1, momentum: 0.9)              |                         | false",
            "sgd(lr: 0.1, momentum: 0.9, nesterov: true) |                      | false",
            "sgd(lr: 0.1)                             | weight_decay = 0.01;    | false",
            "sgd(lr: 0.1)                             | l1 = 0.01;              | false",
            "momentum(lr: 0.1)                        |                         | false",
            "adagrad(lr: 0.1)                         |                         | false",
            "rmsprop(lr: 0.1)                         |                         | false",
            "adam(lr: 0.1)                            |                         | false"})
    void onlyPlainSgdMarksTheTableGradientSparse(String optimizer, String settings, boolean sparse) throws Exception {
        String train = IrPrinter.print(lower(optimizer, settings == null ? "" : settings)
                .program(Program.Kind.TRAIN).orElseThrow().graph());
        assertThat(train).contains("embedding_grad");
        if (sparse) {
            assertThat(train).contains("sparse=true");
        } else {
            assertThat(train).doesNotContain("sparse");
        }
    }

    @Test
    void adamKeepsTheDenseGradientCheckClipAndUpdate() throws Exception {
        String java = JavaGenerator.generate(lower("adam(lr: 0.01)", "clip_norm = 1.0;"), source("adam(lr: 0.01)",
                "clip_norm = 1.0;")).toString();
        assertThat(java).contains("Embedding.backward(");
        assertThat(java).contains("Optimizers.adam(w_logits_embedding1_weight");
        assertThat(java).contains("GradientCheck.allFinite(gradients)");
        assertThat(java).contains("GradientClipping.clipNorm(gradients, GRADIENT_SIZES");
        assertThat(java).doesNotContain("EmbeddingRows");
        assertThat(java).doesNotContain("sgdRows");
        assertThat(java).doesNotContain("backwardRows");
    }

    @Test
    void plainSgdTouchesTheBatchsRowsOnly() throws Exception {
        String java = JavaGenerator.generate(lower("sgd(lr: 0.01)", "clip_norm = 1.0;"), source("sgd(lr: 0.01)",
                "clip_norm = 1.0;")).toString();
        assertThat(java).containsMatch("Embedding\\.backwardRows\\(t\\d+_ids, t\\d+_\\w+, t\\d+_d_logits_embedding1_weight, "
                + "embeddingRows\\d+, n \\* 4, 7, 3\\);");
        assertThat(java).containsMatch("Optimizers\\.sgdRows\\(w_logits_embedding1_weight, t\\d+_d_logits_embedding1_weight, "
                + "embeddingRows\\d+, 7, 3, lr\\);");
        assertThat(java).containsMatch("if \\(updateOnNonFinite\\) \\{\\s*embeddingRows\\d+\\.expand\\("
                + "t\\d+_d_logits_embedding1_weight\\);\\s*}\\s*gradientSizes\\[0\\] = embeddingRows\\d+\\.elements\\(\\);");
        assertThat(java).contains("GradientCheck.allFinite(gradients, gradientSizes)");
        assertThat(java).contains("GradientClipping.clipNorm(gradients, gradientSizes");
        assertThat(java).doesNotContain("Embedding.backward(");
    }

    private static SourceFile source(String optimizer, String settings) {
        return new SourceFile("Tagger.dnn", """
                network Tagger {
                    input ids: int[4];
                    input label: int;
                    logits = ids -> embedding(vocab: 7, dim: 3) -> flatten -> dense(2);
                    output scores = logits;
                    train { loss = cross_entropy(logits, label); optimizer = %s; %s }
                }
                """.formatted(optimizer, settings));
    }

    private static Lowering lower(String optimizer, String settings) throws Exception {
        Compilation c = Compiler.compile(source(optimizer, settings));
        assertThat(c.hasErrors()).isFalse();
        NetworkModel model = c.networks().get(0);
        return Lowering.of(model, CpuTarget.INSTANCE, true);
    }
}
