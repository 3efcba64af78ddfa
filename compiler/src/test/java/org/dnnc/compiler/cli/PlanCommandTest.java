package org.dnnc.compiler.cli;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Path;
import org.dnnc.compiler.testing.Golden;
import org.dnnc.compiler.testing.RepoPaths;
import org.junit.jupiter.api.Test;

/** {@code dnnc plan}: the memory plan report. */
class PlanCommandTest {
    private static final Path MLP = RepoPaths.testResources().resolve("autodiff/Mlp.dnn");

    @Test
    void trainingPlanOfASmallMlpIsPinned() throws Exception {
        Cli.Result result = Cli.run("plan", "--batch", "4", MLP.toString());
        assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
        Golden.check(RepoPaths.testResources().resolve("golden/plan/Mlp.train.plan"), result.out());
    }

    @Test
    void fashionMlpReportsPlannedBytesAgainstTheLowerBound() {
        Path mlp = RepoPaths.root().resolve("examples/fashion-mlp/src/main/dnn/FashionMlp.dnn");
        Cli.Result result = Cli.run("plan", mlp.toString());
        assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
        assertThat(result.out()).startsWith("program train of org.dnnc.examples.fashion.FashionMlp, batch 64,");
        assertThat(result.out()).containsMatch("planned / lower bound = 1\\.0\\d\\d");
        Cli.Result infer = Cli.run("plan", "--program", "infer", mlp.toString());
        assertThat(infer.out()).startsWith("program infer of org.dnnc.examples.fashion.FashionMlp, batch 64,");
        assertThat(infer.out()).doesNotContain("grad");
    }

    @Test
    void badBatchIsAUsageError() {
        assertThat(Cli.run("plan", "--batch", "0", MLP.toString()).exitCode()).isEqualTo(Main.USAGE);
    }
}
