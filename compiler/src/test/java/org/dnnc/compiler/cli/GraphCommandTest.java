package org.dnnc.compiler.cli;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.dnnc.compiler.testing.Golden;
import org.dnnc.compiler.testing.RepoPaths;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** {@code dnnc graph}: the IR dumps of the examples are pinned by golden files under {@code golden/ir/}. */
class GraphCommandTest {
    private static final Path GOLDEN = RepoPaths.testResources().resolve("golden/ir");
    /** A node's result type, e.g. {@code : f32[N,256]}: dims are numbers, the batch N, or a named sequence length. */
    private static final Pattern TYPE = Pattern.compile(" : ([fi]32)\\[([^\\]]*)\\]");

    @TestFactory
    Stream<DynamicTest> exampleDumpsMatchTheirGoldenFiles() {
        return RepoPaths.exampleFiles().stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
            Cli.Result result = Cli.run("graph", file.toString());
            assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
            assertEveryShapeResolved(result.out());
            String name = file.getFileName().toString().replace(".dnn", ".ir");
            Golden.check(GOLDEN.resolve(name), result.out());
        }));
    }

    private static void assertEveryShapeResolved(String dump) {
        Matcher m = TYPE.matcher(dump);
        int types = 0;
        while (m.find()) {
            types++;
            for (String dim : m.group(2).split(",")) {
                if (!dim.isEmpty()) {
                    assertWithMessage("dimension %s in %s", dim, m.group()).that(dim).matches("[1-9][0-9]*|N|[A-Za-z_]\\w*");
                }
            }
        }
        assertThat(types).isGreaterThan(3);
        assertThat(dump).doesNotContain("?");
    }

    @Test
    void sequenceBoundsAreShownWhereTheInputIsDeclared() {
        Path lstm = RepoPaths.root().resolve("examples/fortunes-topics/src/main/dnn/FortunesTopics.dnn");
        Cli.Result result = Cli.run("graph", lstm.toString());
        assertThat(result.out()).contains("input \"text\" {T<=256} : i32[N,T]");
    }

    @Test
    void afterResolveShowsTheGraphBeforeDeadCodeElimination() {
        Path program = RepoPaths.testResources().resolve("cli/dead_value.dnn");
        Cli.Result before = Cli.run("graph", "--after", "resolve", program.toString());
        Cli.Result after = Cli.run("graph", "--after", "dce", program.toString());
        Cli.Result last = Cli.run("graph", "--after", "fuse-elementwise", program.toString());
        assertThat(before.exitCode()).isEqualTo(Main.OK);
        assertThat(before.out()).contains("unused.dense1.weight");
        assertThat(after.out()).doesNotContain("unused.dense1.weight");
        assertThat(after.out()).contains("matmul(");
        assertThat(last.out()).doesNotContain("matmul(");
        assertThat(last.out()).contains("dense(");
        assertThat(Cli.run("graph", program.toString()).out()).isEqualTo(last.out());
    }

    @Test
    void dotOutputIsAGraphvizDigraph() {
        Cli.Result result = Cli.run("graph", "--dot", mlp().toString());
        assertThat(result.exitCode()).isEqualTo(Main.OK);
        assertThat(result.out()).startsWith("digraph \"FashionMlp\" {");
        assertThat(result.out()).contains("f32[N,784]");
        assertThat(result.out().strip()).endsWith("}");
    }

    @Test
    void listPassesNamesEveryStage() {
        Cli.Result result = Cli.run("graph", "--list-passes");
        assertThat(result.exitCode()).isEqualTo(Main.OK);
        assertThat(result.out()).containsMatch("(?m)^resolve +the graph as built");
        assertThat(result.out()).containsMatch("(?m)^dce +");
    }

    @Test
    void afterFuseShowsTheFusedInferenceProgram() {
        Path cnn = RepoPaths.root().resolve("examples/fashion-cnn/src/main/dnn/FashionCnn.dnn");
        Cli.Result fused = Cli.run("graph", "--after", "fuse", "--program", "infer", cnn.toString());
        assertWithMessage(fused.err()).that(fused.exitCode()).isEqualTo(Main.OK);
        // Each conv+batchnorm+ReLU triple is one call: the folded kernel and bias feed conv2d_bias_relu.
        assertThat(fused.out()).containsMatch("conv2d_bias_relu\\(%0, %\\d+, %\\d+\\)");
        assertThat(fused.out().split("conv2d_bias_relu\\(", -1)).hasLength(3);
        assertThat(fused.out()).doesNotContain("batchnorm_inference(");
        assertThat(fused.out()).doesNotContain(" relu(");
        Cli.Result resolved = Cli.run("graph", "--after", "resolve", "--program", "infer", cnn.toString());
        assertThat(resolved.out()).contains("batchnorm_inference(");
    }

    @Test
    void unknownPassIsAUsageError() {
        Cli.Result result = Cli.run("graph", "--after", "fusion", mlp().toString());
        assertThat(result.exitCode()).isEqualTo(Main.USAGE);
        assertThat(result.err()).contains("unknown pass 'fusion' for --after; stages are: resolve, fuse, dce, fold-batchnorm, fuse-batchnorm-add, fuse-batchnorm-relu, fuse-batchnorm-relu-maxpool, fuse-conv, fuse-dense, fuse-elementwise");
    }

    @Test
    void targetOptionShowsTheCudaProgramAndWhatRunsItsConvolutions() {
        Path cnn = RepoPaths.root().resolve("examples/fashion-cnn/src/main/dnn/FashionCnn.dnn");
        Cli.Result cuda = Cli.run("graph", "--target", "cuda", "--program", "train", "--explain", cnn.toString());
        assertWithMessage(cuda.err()).that(cuda.exitCode()).isEqualTo(Main.OK);
        assertThat(cuda.out()).contains("conv2d_bias_identity");
        assertThat(cuda.out()).contains("batchnorm_relu_grad_input");
        assertThat(cuda.out()).containsMatch("(?m)^# conv-algorithm: conv2d_grad_weight %\\d+ \\(logits.features2.conv2d1,"
                + " 16x14x14 -> 32 5x5 stride 1 -> 14x14\\): cuDNN where its library loads .*, else im2col of 64 examples");
        Cli.Result cpu = Cli.run("graph", "--program", "train", "--explain", cnn.toString());
        assertThat(cpu.out()).doesNotContain("cuDNN");
        // Its input, the first block's pooled map, is nChw16c.
        assertThat(cpu.out()).containsMatch("(?m)^# conv-algorithm: conv2d_grad_weight %\\d+ \\(logits.features2.conv2d1,"
                + " 16x14x14 -> 32 5x5 stride 1 -> 14x14\\): ONEDNN, nChw16c operands: oneDNN's kernels \\(else"
                + " (IM2COL|WINOGRAD), ");
    }

    @Test
    void explainSaysWhereEachDenseGemmRunsAtItsProgramsBatch() {
        Path wide = RepoPaths.root().resolve("bench/networks/WideMlp.dnn");
        Cli.Result train = Cli.run("graph", "--program", "train", "--explain", wide.toString());
        assertWithMessage(train.err()).that(train.exitCode()).isEqualTo(Main.OK);
        assertThat(train.out()).containsMatch("(?m)^# dense-gemm: dense %\\d+ \\(logits.dense2, 64x4096x4096,"
                + " 1,073,741,824 multiply-adds\\): at least 2\\^24: oneDNN's matmul$");
        assertThat(train.out()).containsMatch("(?m)^# dense-gemm: matmul_grad_weight %\\d+ \\(logits.dense1, 64x784x4096,"
                + " 205,520,896 multiply-adds\\): at least 2\\^24: oneDNN's matmul$");
        assertThat(train.out()).containsMatch("(?m)^# dense-gemm: matmul_grad_input %\\d+ \\(logits.dense3, 64x4096x10,"
                + " 2,621,440 multiply-adds\\): fewer than 2\\^24: OpenBLAS$");
        // The inference program's plan takes 256 examples a pass.
        Cli.Result infer = Cli.run("graph", "--program", "infer", "--explain", mlp().toString());
        assertThat(infer.out()).containsMatch("(?m)^# dense-gemm: dense %\\d+ \\(logits.dense1, 256x784x256,"
                + " 51,380,224 multiply-adds\\): at least 2\\^24: oneDNN's matmul$");
        Cli.Result cuda = Cli.run("graph", "--target", "cuda", "--program", "train", "--explain", wide.toString());
        assertThat(cuda.out()).doesNotContain("# dense-gemm:");
    }

    @Test
    void unknownTargetIsAUsageError() {
        Cli.Result result = Cli.run("graph", "--target", "tpu", mlp().toString());
        assertThat(result.exitCode()).isEqualTo(Main.USAGE);
        assertThat(result.err()).contains("unknown target 'tpu'; the targets are cpu, cuda");
    }

    @Test
    void networkOptionPicksOneNetworkAndNamesTheOthersWhenWrong() {
        Path two = RepoPaths.testResources().resolve("cli/two_networks.dnn");
        Cli.Result both = Cli.run("graph", two.toString());
        assertThat(both.out()).contains("graph Encoder {");
        assertThat(both.out()).contains("graph Classifier {");
        Cli.Result one = Cli.run("graph", "--network", "Classifier", two.toString());
        assertThat(one.out()).doesNotContain("graph Encoder {");
        assertThat(one.out()).contains("graph Classifier {");
        Cli.Result wrong = Cli.run("graph", "--network", "Decoder", two.toString());
        assertThat(wrong.exitCode()).isEqualTo(Main.INPUT_ERRORS);
        assertThat(wrong.err()).contains("has no network named Decoder; it declares: Encoder, Classifier");
    }

    @Test
    void errorsInTheFileAreReportedInsteadOfAGraph() {
        Path bad = RepoPaths.testResources().resolve("malformed/dense_after_conv.dnn");
        Cli.Result result = Cli.run("graph", bad.toString());
        assertThat(result.exitCode()).isEqualTo(Main.INPUT_ERRORS);
        assertThat(result.out()).isEmpty();
        assertThat(result.err()).contains("error: `dense` needs a vector of features per example");
    }

    @Test
    void programOptionShowsTheTrainingAndInferencePrograms() {
        Cli.Result train = Cli.run("graph", "--program", "train", mlp().toString());
        assertWithMessage(train.err()).that(train.exitCode()).isEqualTo(Main.OK);
        assertThat(train.out()).contains("cross_entropy_grad(");
        assertThat(train.out()).contains("grad:logits.dense1.weight=%");
        Cli.Result infer = Cli.run("graph", "--program", "infer", mlp().toString());
        assertThat(infer.out()).contains("return probs=%");
        assertThat(infer.out()).doesNotContain("label");
    }

    @Test
    void evalProgramHasTheOutputsAndTheLossButNoGradients() {
        Cli.Result eval = Cli.run("graph", "--program", "eval", mlp().toString());
        assertWithMessage(eval.err()).that(eval.exitCode()).isEqualTo(Main.OK);
        assertThat(eval.out()).containsMatch("return probs=%\\d+, loss=%\\d+");
        assertThat(eval.out()).doesNotContain("_grad");
    }

    @Test
    void trainAndEvalOfANetworkWithoutATrainSectionArePositionedErrors(@org.junit.jupiter.api.io.TempDir Path dir)
            throws java.io.IOException {
        Path file = dir.resolve("Scorer.dnn");
        java.nio.file.Files.writeString(file, "network Scorer {\n    input x: float[4];\n    output y = x -> dense(2);\n}\n");
        for (String program : java.util.List.of("train", "eval")) {
            Cli.Result r = Cli.run("graph", "--program", program, file.toString());
            assertThat(r.exitCode()).isEqualTo(Main.INPUT_ERRORS);
            assertThat(r.err()).contains("Scorer.dnn:1:1: error: network `Scorer` has no train section, so it has no "
                    + program + " program");
        }
        assertThat(Cli.run("graph", "--program", "infer", file.toString()).exitCode()).isEqualTo(Main.OK);
    }

    @Test
    void plainSgdShowsTheEmbeddingGradientAsSparse() {
        Path lm = RepoPaths.testResources().resolve("autodiff/GoldenCharLm.dnn");
        Cli.Result train = Cli.run("graph", "--program", "train", lm.toString());
        assertWithMessage(train.err()).that(train.exitCode()).isEqualTo(Main.OK);
        assertThat(train.out()).containsMatch("= embedding_grad\\(%\\d+, %\\d+\\) \\{vocab=11, sparse=true\\} : f32\\[11,6\\]");
    }

    @Test
    void frozenLayersGetNoGradientInTheTrainingProgram() {
        Path frozen = RepoPaths.testResources().resolve("cli/frozen.dnn");
        Cli.Result train = Cli.run("graph", "--program", "train", frozen.toString());
        assertWithMessage(train.err()).that(train.exitCode()).isEqualTo(Main.OK);
        assertThat(train.out()).contains("grad:head.dense1.weight=%");
        assertThat(train.out()).doesNotContain("grad:body.");
    }

    /**
     * {@code freeze(body)} freezes {@code stem} too, since body depends on it: its batch norms read their
     * running statistics (no batch statistics, no update), and nothing below the head is differentiated.
     */
    @Test
    void frozenBatchNormsUseTheirRunningStatisticsAndGetNoGradient() {
        Path frozen = RepoPaths.testResources().resolve("cli/frozen-batchnorm.dnn");
        Cli.Result train = Cli.run("graph", "--program", "train", "--after", "resolve", frozen.toString());
        assertWithMessage(train.err()).that(train.exitCode()).isEqualTo(Main.OK);
        String dump = train.out();
        assertThat(dump).containsMatch("= batchnorm_inference\\(%\\d+, %\\d+, %\\d+, %\\d+, %\\d+\\) \\{eps=1e-05\\}");
        assertThat(dump).doesNotContainMatch("= batchnorm\\(");
        assertThat(dump).contains("grad:head.dense1.weight=%");
        assertThat(dump).doesNotContain("grad:body.");
        assertThat(dump).doesNotContain("grad:stem.");
        // Only the head's gradients: the loss's, the head's weight and bias, nothing else.
        assertThat(dump).doesNotContain("relu_grad");
        assertThat(dump).doesNotContain("batchnorm_inference_grad_input");
        assertThat(dump).doesNotContain("matmul_grad_input");
    }

    @Test
    void aNetworkThatCannotBeTrainedIsAnInputError() {
        Path untrainable = RepoPaths.testResources().resolve("cli/untrainable.dnn");
        Cli.Result train = Cli.run("graph", "--program", "train", untrainable.toString());
        assertThat(train.exitCode()).isEqualTo(Main.INPUT_ERRORS);
        assertThat(train.err()).contains(":8:15: error: training through `attention_weights` is not supported yet");
        Path cnn = RepoPaths.root().resolve("examples/fashion-cnn/src/main/dnn/FashionCnn.dnn");
        assertThat(Cli.run("graph", "--program", "train", cnn.toString()).out()).contains("conv2d_grad_weight(");
    }

    @Test
    void explainSaysWhyCandidatesWereNotFused() {
        Path cnn = RepoPaths.root().resolve("examples/fashion-cnn/src/main/dnn/FashionCnn.dnn");
        Cli.Result train = Cli.run("graph", "--explain", "--program", "train", cnn.toString());
        assertWithMessage(train.err()).that(train.exitCode()).isEqualTo(Main.OK);
        assertThat(train.out()).containsMatch(
                "(?m)^# fold-batchnorm: batchnorm %\\d+ not folded: training normalizes with batch statistics$");
        Path resnet = RepoPaths.root().resolve("examples/fashion-resnet/src/main/dnn/FashionResnet.dnn");
        String resnetOut = Cli.run("graph", "--explain", "--program", "train", resnet.toString()).out();
        assertThat(resnetOut).containsMatch(
                "(?m)^# fuse-elementwise: add %\\d+ not fused into relu_grad %\\d+: its result is also read by"
                        + " %\\d+ relu_grad, %\\d+ batchnorm_relu_grad_input, %\\d+ batchnorm_relu_grad_gamma,"
                        + " %\\d+ batchnorm_relu_grad_beta$");
        // Each residual block ends in one pass: batchnorm, the shortcut's add and the ReLU.
        assertThat(resnetOut).containsMatch("= batchnorm_add_relu\\(");
        // A line per convolution call with its algorithm and why, forward and both gradients; the stem
        // reads the image in NCHW and writes its result blocked.
        assertThat(resnetOut).containsMatch("(?m)^# conv-algorithm: conv2d %\\d+ \\(logits.conv_bn1.conv2d1, "
                + "1x28x28 -> 16 3x3 stride 1 -> 28x28\\): ONEDNN, nChw16c operands: oneDNN's kernels \\(else IM2COL, ");
        // Inside the residual blocks the activations are nChw16c, which oneDNN's kernels read.
        assertThat(resnetOut).containsMatch("(?m)^# conv-algorithm: conv2d_grad_input %\\d+ \\(logits.residual2.y.conv_bn2"
                + ".conv2d1, 32x14x14 -> 32 3x3 stride 1 -> 14x14\\): ONEDNN, nChw16c operands: oneDNN's kernels"
                + " \\(else WINOGRAD_TRANSPOSED, example by example through reorders\\)$");
        assertThat(resnetOut).containsMatch("(?m)^# conv-algorithm: conv2d_grad_weight %\\d+ \\(logits.residual_down1"
                + ".shortcut.conv2d1, 16x28x28 -> 32 1x1 stride 2 -> 14x14\\): ONEDNN, nChw16c operands: ");
        // The residual adds and their gradients take either layout, so no class stays nchw.
        assertThat(resnetOut).doesNotContain("# assign-layouts");
        Cli.Result plain = Cli.run("graph", "--program", "train", cnn.toString());
        assertThat(plain.out()).doesNotContain("# fold-batchnorm");
    }

    private static Path mlp() {
        return RepoPaths.root().resolve("examples/fashion-mlp/src/main/dnn/FashionMlp.dnn");
    }
}
