package org.dnnc.compiler.cli;

import static com.google.common.truth.Truth.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.testing.RepoPaths;
import org.junit.jupiter.api.Test;

/** Exit codes, help, version and colour of the command line. */
class CliBehaviourTest {
    private static final String ESC = "\u001b[";
    private static final String BAD = RepoPaths.testResources().resolve("malformed/unknown_layer.dnn").toString();

    @Test
    void versionComesFromTheBuild() {
        Cli.Result result = Cli.run("--version");
        assertThat(result.exitCode()).isEqualTo(Main.OK);
        assertThat(Compiler.version()).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(result.out().strip()).isEqualTo("dnnc " + Compiler.version());
    }

    @Test
    void helpListsTheCommandsAndExitCodes() {
        Cli.Result result = Cli.run("--help");
        assertThat(result.exitCode()).isEqualTo(Main.OK);
        assertThat(result.out()).contains("check");
        assertThat(result.out()).contains("graph");
        assertThat(result.out()).contains("params");
        assertThat(result.out()).contains("Exit codes: 0 ok, 1 errors in the input, 2 bad usage, 70 internal error.");
    }

    @Test
    void usageErrorsExitWith2() {
        assertThat(Cli.run().exitCode()).isEqualTo(Main.USAGE);
        assertThat(Cli.run("compile", "x.dnn").exitCode()).isEqualTo(Main.USAGE);
        assertThat(Cli.run("check").exitCode()).isEqualTo(Main.USAGE);
        Cli.Result unknownOption = Cli.run("check", "--frobnicate", BAD);
        assertThat(unknownOption.exitCode()).isEqualTo(Main.USAGE);
        assertThat(unknownOption.err()).contains("Unknown option: '--frobnicate'");
        assertThat(Cli.run("graph").exitCode()).isEqualTo(Main.USAGE);
    }

    @Test
    void anUnreadableFileIsAnInputError() {
        Cli.Result result = Cli.run("check", "no/such/file.dnn");
        assertThat(result.exitCode()).isEqualTo(Main.INPUT_ERRORS);
        assertThat(result.err()).isEqualTo("dnnc: error: cannot read no/such/file.dnn: no such file\n");
        Cli.Result directory = Cli.run("params", RepoPaths.root().toString());
        assertThat(directory.exitCode()).isEqualTo(Main.INPUT_ERRORS);
        assertThat(directory.err()).contains("it is a directory");
    }

    @Test
    void internalErrorsExitWith70AndHideTheStackTraceUnlessAsked() {
        StringWriter plain = new StringWriter();
        Console console = new Console(new PrintWriter(new StringWriter()), new PrintWriter(plain), false, Map.of());
        int code = Main.internalError(console, false, new IllegalStateException("pass dce broke the graph"));
        assertThat(code).isEqualTo(Main.INTERNAL_ERROR);
        assertThat(plain.toString()).startsWith("dnnc: internal error: pass dce broke the graph\n");
        assertThat(plain.toString()).doesNotContain("\tat ");

        StringWriter traced = new StringWriter();
        Console tracing = new Console(new PrintWriter(new StringWriter()), new PrintWriter(traced), false, Map.of());
        Main.internalError(tracing, true, new IllegalStateException("boom"));
        assertThat(traced.toString()).contains("java.lang.IllegalStateException: boom");
        assertThat(traced.toString()).contains("\tat ");
    }

    @Test
    void colourOnlyOnATerminalWithoutNoColor() {
        assertThat(Cli.run(true, Map.of(), "check", BAD).err()).contains(ESC);
        assertThat(Cli.run(false, Map.of(), "check", BAD).err()).doesNotContain(ESC);
        assertThat(Cli.run(true, Map.of("NO_COLOR", "1"), "check", BAD).err()).doesNotContain(ESC);
        // An empty NO_COLOR does not count (no-color.org).
        assertThat(Cli.run(true, Map.of("NO_COLOR", ""), "check", BAD).err()).contains(ESC);
    }

    @Test
    void colorOptionOverridesTheTerminal() {
        assertThat(Cli.run(false, Map.of(), "check", "--color=always", BAD).err()).contains(ESC);
        assertThat(Cli.run(false, Map.of(), "--color", "always", "check", BAD).err()).contains(ESC);
        assertThat(Cli.run(true, Map.of(), "check", "--color=never", BAD).err()).doesNotContain(ESC);
    }
}
