package org.dnnc.compiler.cli;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Files;
import java.nio.file.Path;
import org.dnnc.compiler.testing.DeepChains;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands that show the IR and the plan work on a 10,000-layer network, on a small stack; its
 * class would not fit a class file, which {@code dnnc compile} says at the network's declaration.
 */
class DeepNetworkCommandsTest {
    private static final int LAYERS = 10_000;

    @TempDir
    Path work;

    @Test
    void planAndGraphOfATenThousandLayerChain() throws Exception {
        Path file = work.resolve("Deep.dnn");
        Files.writeString(file, DeepChains.source(LAYERS).text());

        Cli.Result plan = DeepChains.onSmallStack(() -> Cli.run("plan", file.toString()));
        assertWithMessage(plan.err()).that(plan.exitCode()).isEqualTo(Main.OK);
        assertThat(plan.out()).startsWith("program train of deep.Deep for cpu, batch 8,");
        assertThat(plan.out()).contains("%" + "0 input x");

        Cli.Result graph = DeepChains.onSmallStack(() -> Cli.run("graph", "--program", "train", "--explain", file.toString()));
        assertWithMessage(graph.err()).that(graph.exitCode()).isEqualTo(Main.OK);
        assertThat(graph.out()).contains("logits.dense" + LAYERS);
        assertThat(graph.out()).contains("return loss=%");

        Path out = work.resolve("out");
        Cli.Result compile = DeepChains.onSmallStack(() -> Cli.run("compile", "-d", out.toString(), file.toString()));
        assertThat(compile.exitCode()).isEqualTo(Main.INPUT_ERRORS);
        assertThat(compile.err()).contains("Deep.dnn:3:");
        assertThat(compile.err()).contains("error: network `Deep` is too large for one Java class");
        assertThat(compile.err()).contains("fewer than 65,535");
        assertThat(Files.exists(out.resolve("deep/Deep.java"))).isFalse();
    }
}
