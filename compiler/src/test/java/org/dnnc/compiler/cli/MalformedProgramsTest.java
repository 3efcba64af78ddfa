package org.dnnc.compiler.cli;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.dnnc.compiler.testing.Golden;
import org.dnnc.compiler.testing.RepoPaths;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code dnnc check} on each program in {@code malformed/}: exit code 1, no stack trace, and the
 * exact diagnostics (position, message, source line, caret, hints) of its {@code .expected} file.
 */
class MalformedProgramsTest {
    private static final Path RESOURCES = RepoPaths.testResources();
    private static final Path DIR = RESOURCES.resolve("malformed");
    private static final Pattern HEADER = Pattern.compile("(?m)^malformed/[\\w.]+:(\\d+):(\\d+): (error|warning|note): (.*)$");
    private static final Pattern SUMMARY = Pattern.compile("(?m)^(\\d+) errors?(, (\\d+) warnings?)?$");

    @TestFactory
    Stream<DynamicTest> eachMalformedProgramIsRejectedWithItsExpectedDiagnostics() {
        return RepoPaths.filesIn(DIR, ".dnn").stream().map(file -> DynamicTest.dynamicTest(
                file.getFileName().toString(), () -> {
                    Cli.Result result = Cli.run("check", file.toString());
                    String err = result.err().replace(RESOURCES + "/", "");
                    assertWithMessage(err).that(result.exitCode()).isEqualTo(Main.INPUT_ERRORS);
                    assertThat(result.out()).isEmpty();
                    assertThat(err).doesNotContain("Exception");
                    assertThat(err).doesNotContain("\tat ");
                    assertCountsAgree(err);
                    Golden.check(expectedFile(file), err);
                }));
    }

    /** The summary line counts exactly the errors and warnings printed above it. */
    private static void assertCountsAgree(String err) {
        int errors = 0;
        int warnings = 0;
        Matcher header = HEADER.matcher(err);
        while (header.find()) {
            errors += header.group(3).equals("error") ? 1 : 0;
            warnings += header.group(3).equals("warning") ? 1 : 0;
        }
        Matcher summary = SUMMARY.matcher(err);
        assertWithMessage("summary line in:\n%s", err).that(summary.find()).isTrue();
        assertThat(errors).isAtLeast(1);
        assertThat(Integer.parseInt(summary.group(1))).isEqualTo(errors);
        assertThat(summary.group(3) == null ? 0 : Integer.parseInt(summary.group(3))).isEqualTo(warnings);
    }

    private static Path expectedFile(Path program) {
        String name = program.getFileName().toString();
        return program.resolveSibling(name.substring(0, name.length() - ".dnn".length()) + ".expected");
    }

    @Test
    void everyExpectedFileBelongsToAProgram() {
        for (Path expected : RepoPaths.filesIn(DIR, ".expected")) {
            String name = expected.getFileName().toString().replace(".expected", ".dnn");
            assertWithMessage("stale golden file %s", expected).that(Files.exists(DIR.resolve(name))).isTrue();
        }
    }

    /**
     * The suite covers the kinds of mistakes the language must explain well; each line names a
     * program and the first error it must report, as {@code line:col: message}.
     */
    @Test
    void theSuiteCoversTheRequiredMistakes() throws Exception {
        List<String[]> required = List.of(
                new String[] {"syntax_missing_semicolon", "2:22: error: expected `;`"},
                new String[] {"syntax_unexpected_token", "3:33: error: unexpected `;`, expected a name"},
                new String[] {"syntax_missing_brace", "3:30: error: unexpected end of file, expected `}`"},
                new String[] {"unknown_layer", "3:34: error: unknown layer `dropot`"},
                new String[] {"wrong_argument_type", "3:27: error: argument `units` of `dense` must be a positive integer, got a string"},
                new String[] {"missing_argument", "3:21: error: `dense` needs argument `units` (number of output features)"},
                new String[] {"shape_mismatch_add", "5:16: error: shapes differ in `+`: f32[N,16,28,28] from `conv2d` vs f32[N,32,26,26] from `conv2d`"},
                new String[] {"dense_after_conv", "3:49: error: `dense` needs a vector of features per example"},
                new String[] {"wrong_loss_target", "6:20: error: `cross_entropy` needs an integer class label per example as its target"},
                new String[] {"unknown_name", "3:14: error: unknown name `imag`"},
                new String[] {"duplicate_name", "4:5: error: `h` is already defined"},
                new String[] {"recursive_block", "4:23: error: block `a` is recursive: a -> b -> a"},
                new String[] {"unit_misuse", "8:18: error: `epochs` takes an integer from 1 to 1000000, not a count of steps"});
        assertThat(RepoPaths.filesIn(DIR, ".dnn").size()).isAtLeast(25);
        for (String[] r : required) {
            Cli.Result result = Cli.run("check", DIR.resolve(r[0] + ".dnn").toString());
            String prefix = DIR + "/" + r[0] + ".dnn:";
            assertWithMessage("first diagnostic of %s", r[0]).that(result.err()).contains(prefix + r[1]);
        }
        assertThat(Cli.run("check", DIR.resolve("unknown_layer.dnn").toString()).err())
                .contains("help: did you mean `dropout`?");
    }
}
