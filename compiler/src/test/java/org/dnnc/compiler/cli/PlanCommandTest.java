package org.dnnc.compiler.cli;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /** The same program planned for the GPU: 256-byte offsets and sizes, named in the header. */
    @Test
    void cudaTrainingPlanOfASmallMlpIsPinned() throws Exception {
        Cli.Result result = Cli.run("plan", "--target", "cuda", "--batch", "4", MLP.toString());
        assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
        assertThat(result.out()).startsWith("program train of Mlp for cuda, batch 4, alignment 256 bytes");
        Golden.check(RepoPaths.testResources().resolve("golden/plan/Mlp.cuda.train.plan"), result.out());
        Matcher offsets = Pattern.compile("(?m)^  %\\d+ .*?  +([\\d,]+)  +([\\d,]+)  \\[").matcher(result.out());
        int buffers = 0;
        while (offsets.find()) {
            buffers++;
            assertWithMessage(offsets.group()).that(Long.parseLong(offsets.group(1).replace(",", "")) % 256).isEqualTo(0);
            assertWithMessage(offsets.group()).that(Long.parseLong(offsets.group(2).replace(",", "")) % 256).isEqualTo(0);
        }
        assertThat(buffers).isGreaterThan(5);
    }

    @Test
    void unknownTargetIsAUsageErrorNamingTheTargets() {
        Cli.Result result = Cli.run("plan", "--target", "gpu", MLP.toString());
        assertThat(result.exitCode()).isEqualTo(Main.USAGE);
        assertThat(result.err()).contains("Invalid value for option '--target': unknown target 'gpu'; the targets are"
                + " cpu, cuda");
    }

    @Test
    void fashionMlpReportsPlannedBytesAgainstTheLowerBound() {
        Path mlp = RepoPaths.root().resolve("examples/fashion-mlp/src/main/dnn/FashionMlp.dnn");
        Cli.Result result = Cli.run("plan", mlp.toString());
        assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
        assertThat(result.out()).startsWith("program train of org.dnnc.examples.fashion.FashionMlp for cpu, batch 64,");
        assertThat(result.out()).containsMatch("planned / lower bound = 1\\.0\\d\\d");
        Cli.Result infer = Cli.run("plan", "--program", "infer", mlp.toString());
        // Predictions run 256 at a time: that plan fits in the bytes training needs.
        assertThat(infer.out()).startsWith("program infer of org.dnnc.examples.fashion.FashionMlp for cpu, batch 256,");
        assertThat(infer.out()).doesNotContain("grad");
        Cli.Result infer64 = Cli.run("plan", "--program", "infer", "--batch", "64", mlp.toString());
        assertThat(infer64.out()).startsWith("program infer of org.dnnc.examples.fashion.FashionMlp for cpu, batch 64,");
    }

    @Test
    void chartShowsWhichBuffersShareBytesOverTime() {
        Cli.Result result = Cli.run("plan", "--chart", "--batch", "4", MLP.toString());
        assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
        // 16 bands of bytes, each a row as wide as the schedule (19 positions: the step drops the softmax output), then a legend.
        assertThat(result.out()).containsMatch("(?m)^ +0 \\|[A-Za-z0-9.]{19}\\|$");
        assertThat(result.out().lines().filter(l -> l.matches(" +[0-9,]+ \\|.*\\|")).count()).isEqualTo(16);
        assertThat(result.out()).containsMatch("(?m)^  A %0 input x \\(128 bytes at 0, live 0-18\\)$");
    }

    @Test
    void convolutionalTrainingPlansAreWithinSixPercentOfTheLowerBound() {
        for (String example : new String[] {"fashion-cnn/src/main/dnn/FashionCnn.dnn", "fashion-resnet/src/main/dnn/FashionResnet.dnn"}) {
            Cli.Result result = Cli.run("plan", RepoPaths.root().resolve("examples").resolve(example).toString());
            assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
            var m = java.util.regex.Pattern.compile("planned / lower bound = ([0-9.]+)").matcher(result.out());
            assertThat(m.find()).isTrue();
            // FashionCnn plans at 1.052 since max pooling is fused into batchnorm+ReLU: its plan shrank from
            // 14.7 to 9.1 MB against a lower bound of 8.6 MB.
            assertWithMessage(example).that(Double.parseDouble(m.group(1))).isAtMost(1.06);
        }
    }

    /** Blocked values are named with their layout; they take the bytes they would in NCHW. */
    @Test
    void blockedValuesShowTheirLayout() {
        Cli.Result result = Cli.run("plan", RepoPaths.root().resolve("bench/networks/Strided.dnn").toString());
        assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
        // The stem's result, [64, 32, 14, 14] floats, in nChw16c.
        assertThat(result.out()).containsMatch("(?m)^  %3 conv2d nChw16c +1,605,632 ");
        assertThat(result.out()).containsMatch("(?m)^  %0 input image +200,704 ");
    }

    /** Training keeps every step of the decoder (gates, states, attention weights, contexts) for its backward pass. */
    @Test
    void anEncoderDecodersPlanHoldsWhatItsBackwardPassReads() {
        Path reverser = RepoPaths.root().resolve("examples/seq2seq-attention/src/main/dnn/Reverser.dnn");
        Cli.Result result = Cli.run("plan", reverser.toString());
        assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
        var m = java.util.regex.Pattern.compile("saved by attention_decoder +([0-9,]+) ").matcher(result.out());
        assertThat(m.find()).isTrue();
        // Batch 64, 21 decoder steps of 32 inputs, 96 units, 20 encoder states of 96, 48 attention units.
        long floats = org.dnnc.runtime.cpu.AttentionDecoder.workspaceFloats(
                new org.dnnc.runtime.cpu.DecoderGeometry(21, 32, 96, 20, 96, 48), 64);
        assertThat(Long.parseLong(m.group(1).replace(",", ""))).isEqualTo(4 * floats);
        assertThat(result.out()).contains("saved by gru");
    }

    @Test
    void badBatchIsAUsageError() {
        assertThat(Cli.run("plan", "--batch", "0", MLP.toString()).exitCode()).isEqualTo(Main.USAGE);
    }

    @Test
    void theForwardGraphIsNoProgramToPlan() {
        Cli.Result r = Cli.run("plan", "--program", "forward", MLP.toString());
        assertThat(r.exitCode()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("--program must be train, eval or infer");
    }

    @Test
    void embeddingIdsArePlannedAndLiveUntilTheTableGradient() {
        Path rules = RepoPaths.testResources().resolve("autodiff/Rules.dnn");
        Cli.Result r = Cli.run("plan", "--network", "Embedded", "--batch", "4", rules.toString());
        assertWithMessage(r.err()).that(r.exitCode()).isEqualTo(Main.OK);
        // Four int ids per example of four bytes each, read again by the table's gradient.
        Matcher ids = Pattern.compile("(?m)^  %0 input ids +64 +\\d+  \\[0, (\\d+)\\]$").matcher(r.out());
        Matcher grad = Pattern.compile("(?m)^  %\\d+ embedding_grad .*\\[(\\d+), \\d+\\]$").matcher(r.out());
        assertWithMessage(r.out()).that(ids.find()).isTrue();
        assertWithMessage(r.out()).that(grad.find()).isTrue();
        assertThat(Integer.parseInt(ids.group(1))).isAtLeast(Integer.parseInt(grad.group(1)));
    }

    @Test
    void evalPlansTheOutputsAndTheLossWithoutGradients() {
        Cli.Result r = Cli.run("plan", "--program", "eval", "--batch", "4", MLP.toString());
        assertWithMessage(r.err()).that(r.exitCode()).isEqualTo(Main.OK);
        assertThat(r.out()).startsWith("program eval of Mlp for cpu, batch 4");
        assertThat(r.out()).contains(" softmax ");
        assertThat(r.out()).contains(" cross_entropy ");
        assertThat(r.out()).doesNotContain("_grad");
    }

    /**
     * In training a recurrent layer's forward call saves its gates and states for the gradient's call,
     * so that workspace lives until then; without the gradient (evaluation) it is scratch of the call.
     */
    @Test
    void aRecurrentLayerKeepsItsWorkspaceUntilItsGradient() {
        Path file = RepoPaths.testResources().resolve("cli/sequence_classifier.dnn");
        Cli.Result train = Cli.run("plan", "--batch", "4", file.toString());
        assertWithMessage(train.err()).that(train.exitCode()).isEqualTo(Main.OK);
        // gru(5) over 6 steps of 8 features, 4 examples: 2*4*6*15 + 7*4*5 + 6*4*5 + 4*15 + 4*5 = 1,060
        // floats, 4,240 bytes, aligned to 4,288.
        Matcher saved = Pattern.compile("(?m)^  %(\\d+) saved by gru +4,288 +[0-9,]+  \\[(\\d+), (\\d+)\\]$")
                .matcher(train.out());
        assertWithMessage(train.out()).that(saved.find()).isTrue();
        Matcher gradient = Pattern.compile("(?m)^  %\\d+ gru_grad .*\\[(\\d+), \\d+\\]$").matcher(train.out());
        assertWithMessage(train.out()).that(gradient.find()).isTrue();
        assertThat(Integer.parseInt(saved.group(3))).isAtLeast(Integer.parseInt(gradient.group(1)));
        assertThat(train.out()).contains(" saved by lstm ");
        assertThat(train.out()).doesNotContain("scratch of");

        Cli.Result eval = Cli.run("plan", "--program", "eval", "--batch", "4", file.toString());
        assertThat(eval.out()).contains(" scratch of gru ");
        assertThat(eval.out()).doesNotContain("saved by");
    }
}
