package org.dnnc.compiler.cli;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Path;
import java.util.List;
import org.dnnc.compiler.testing.RepoPaths;
import org.junit.jupiter.api.Test;

/** {@code dnnc check} accepts every example without errors or warnings. */
class ExamplesCheckTest {

    @Test
    void everyExampleChecksCleanly() {
        List<Path> examples = RepoPaths.exampleFiles();
        assertThat(examples.size()).isAtLeast(5);
        String[] args = new String[examples.size() + 1];
        args[0] = "check";
        for (int i = 0; i < examples.size(); i++) {
            args[i + 1] = examples.get(i).toString();
        }
        Cli.Result result = Cli.run(args);
        assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
        assertThat(result.err()).isEmpty();
        for (Path example : examples) {
            assertThat(result.out()).contains(example + ": ok (network ");
        }
    }

    @Test
    void quietPrintsNothingForGoodFiles() {
        Cli.Result result = Cli.run("check", "--quiet", RepoPaths.exampleFiles().get(0).toString());
        assertThat(result.exitCode()).isEqualTo(Main.OK);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).isEmpty();
    }

    @Test
    void oneBadFileAmongGoodOnesFailsTheRun() {
        Path good = RepoPaths.exampleFiles().get(0);
        Path bad = RepoPaths.testResources().resolve("malformed/unknown_layer.dnn");
        Cli.Result result = Cli.run("check", good.toString(), bad.toString());
        assertThat(result.exitCode()).isEqualTo(Main.INPUT_ERRORS);
        assertThat(result.out()).contains(good + ": ok");
        assertThat(result.err()).contains("unknown layer `dropot`");
        assertThat(result.err()).endsWith("1 error\n");
    }
}
