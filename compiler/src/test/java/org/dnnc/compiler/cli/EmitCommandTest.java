package org.dnnc.compiler.cli;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dnnc.compiler.testing.RepoPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dnnc emit java} and {@code dnnc compile -d}. */
class EmitCommandTest {
    private static final Path MLP = RepoPaths.root().resolve("examples/fashion-mlp/src/main/dnn/FashionMlp.dnn");

    @TempDir
    Path out;

    @Test
    void emitPrintsTheGeneratedClass() {
        Cli.Result result = Cli.run("emit", "java", MLP.toString());
        assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
        assertThat(result.out()).contains("public final class FashionMlp implements TrainableNetwork {");
    }

    @Test
    void compileWritesSourcesInPackageFolders() throws Exception {
        Cli.Result result = Cli.run("compile", MLP.toString(), "-d", out.toString());
        assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
        assertThat(result.out()).isEqualTo("wrote org.dnnc.examples.fashion.FashionMlp\n");
        assertThat(Files.readString(out.resolve("org/dnnc/examples/fashion/FashionMlp.java")))
                .isEqualTo(Cli.run("emit", "java", MLP.toString()).out());
    }

    @Test
    void networksTheGeneratorCannotHandleYetAreReportedAtTheirSource() {
        Path untrainable = RepoPaths.testResources().resolve("cli/untrainable.dnn");
        Cli.Result result = Cli.run("emit", "java", untrainable.toString());
        assertThat(result.exitCode()).isEqualTo(Main.INPUT_ERRORS);
        assertThat(result.err()).contains(":8:15: error: training through `attention_weights` is not supported yet");
        assertThat(result.out()).isEmpty();
    }
}
