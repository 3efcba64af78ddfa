package org.dnnc.compiler.cli;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inputs that once gave wrong positions, huge messages or a failed write get ordinary diagnostics. */
class UserMistakesTest {
    @TempDir
    Path work;

    @Test
    void aHugeIdentifierIsShortenedInTheMessageAndTheSourceLine() throws Exception {
        String name = "a".repeat(200_000);
        Path file = work.resolve("long.dnn");
        Files.writeString(file, "network N {\n  input x: float[4];\n  output y = " + name + " -> dense(2);\n}\n");
        Cli.Result r = Cli.run("check", file.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("error: unknown name `aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…aaaaaaaa` (200000 characters)");
        assertWithMessage("the whole report").that(r.err().length()).isLessThan(2_000);
    }

    @Test
    void carriageReturnsAloneEndLines() throws Exception {
        Path file = work.resolve("cr.dnn");
        Files.writeString(file, "network N {\r  input x: float[4];\r  output y = x -> dense(2) -> foo;\r}\r");
        Cli.Result r = Cli.run("check", file.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith(file + ":3:31: error: unknown layer `foo`\n  output y = x -> dense(2) -> foo;\n");
    }

    @Test
    void compileCreatesTheOutputFolderForAFileWithoutAPackage() throws Exception {
        Path file = work.resolve("NoPkg.dnn");
        Files.writeString(file, "network NoPkg {\n  input x: float[4];\n  output y = x -> dense(2);\n}\n");
        Path out = work.resolve("new/sub");
        Cli.Result r = Cli.run("compile", "-d", out.toString(), file.toString());
        assertWithMessage(r.err()).that(r.exitCode()).isEqualTo(0);
        assertThat(Files.exists(out.resolve("NoPkg.java"))).isTrue();
    }

    /** A tensor too large for generated code is the user's error at `check`, never a crash of `compile`. */
    @Test
    void aTensorTooLargeIsAnErrorAtItsLayerForCheckAndCompile() throws Exception {
        Path file = work.resolve("Huge.dnn");
        Files.writeString(file, "network Huge {\n  input x: float[784];\n  output y = x -> dense(2147483647);\n}\n");
        String error = file + ":3:19: error: `dense` would make a `weight` of 2147483647 × 784 = 1,683,627,179,248"
                + " elements; a tensor holds at most 2,147,483,647\n";
        Cli.Result check = Cli.run("check", file.toString());
        assertWithMessage(check.err()).that(check.exitCode()).isEqualTo(Main.INPUT_ERRORS);
        assertThat(check.err()).startsWith(error);
        Path out = work.resolve("out");
        Cli.Result compile = Cli.run("compile", "-d", out.toString(), file.toString());
        assertWithMessage(compile.err()).that(compile.exitCode()).isEqualTo(Main.INPUT_ERRORS);
        assertThat(compile.err()).startsWith(error);
        assertThat(compile.out()).doesNotContain("wrote");
        assertThat(Files.exists(out.resolve("Huge.java"))).isFalse();
    }

    /** Arenas are planned by `compile`: one too large is an error at the network, and no class is written. */
    @Test
    void aWorkspaceNoArenaHoldsIsAnErrorOfCompileAtTheNetwork() throws Exception {
        Path file = work.resolve("Wide.dnn");
        Files.writeString(file, "// Each tensor fits; together they do not.\nnetwork Wide {\n  input x: float[10000000];\n"
                + "  output y = concat(x, x) -> dense(2);\n}\n");
        Path out = work.resolve("out");
        Cli.Result compile = Cli.run("compile", "-d", out.toString(), file.toString());
        assertWithMessage(compile.err()).that(compile.exitCode()).isEqualTo(Main.INPUT_ERRORS);
        assertThat(compile.err()).startsWith(file + ":2:1: error: network `Wide` needs a workspace of ");
        assertThat(compile.err()).contains("one arena holds at most 2,147,483,583 bytes");
        assertThat(compile.out()).doesNotContain("wrote");
        assertThat(Files.exists(out.resolve("Wide.java"))).isFalse();
    }

    /** A network name Java cannot take stops `compile` at `check`: no class that javac would refuse. */
    @Test
    void aNetworkNamedAfterAJavaKeywordIsRejectedBeforeAnythingIsWritten() throws Exception {
        Path file = work.resolve("Keyword.dnn");
        Files.writeString(file, "package org.example;\n\nnetwork class {\n  input x: float[4];\n  output y = x -> dense(2);\n}\n");
        Path out = work.resolve("out");
        Cli.Result compile = Cli.run("compile", "-d", out.toString(), file.toString());
        assertWithMessage(compile.err()).that(compile.exitCode()).isEqualTo(Main.INPUT_ERRORS);
        assertThat(compile.err()).startsWith(file + ":3:9: error: `class` is a Java keyword and cannot name the"
                + " generated class\nnetwork class {\n        ^~~~~\n  help: rename the network\n");
        assertThat(compile.out()).doesNotContain("wrote");
        assertThat(Files.exists(out)).isFalse();
    }
}
