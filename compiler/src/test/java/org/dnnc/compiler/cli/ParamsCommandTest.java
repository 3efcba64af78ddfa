package org.dnnc.compiler.cli;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Path;
import org.dnnc.compiler.testing.RepoPaths;
import org.junit.jupiter.api.Test;

/** {@code dnnc params}: counts checked against hand arithmetic. */
class ParamsCommandTest {

    /**
     * 784-256-128-10: 784*256+256 = 200,960; 256*128+128 = 32,896; 128*10+10 = 1,290;
     * total 235,146.
     */
    @Test
    void fashionMlpHas235146Parameters() {
        Cli.Result result = Cli.run("params", RepoPaths.root().resolve("examples/fashion-mlp/src/main/dnn/FashionMlp.dnn").toString());
        assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
        assertThat(result.out()).containsMatch("parameter +shape +count +init +training\n");
        assertThat(result.out()).containsMatch("logits\\.dense1\\.weight +\\[256, 784\\] +200,704 +he_normal +trained\n");
        assertThat(result.out()).containsMatch("logits\\.dense1\\.bias +\\[256\\] +256 +zeros");
        assertThat(result.out()).containsMatch("logits\\.dense3\\.weight +\\[10, 128\\] +1,280");
        assertThat(result.out()).contains("total trainable: 235,146 (940,584 bytes as float32)");
    }

    /**
     * LeNet-5 on 28x28 (compiler/src/test/resources/lenet/LeNet5.dnn):
     * conv 6@5x5 over 1 channel: 6*1*25+6 = 156;
     * conv 16@5x5 over 6 channels: 16*6*25+16 = 2,416;
     * 28 (same) -> pool 14 -> conv 10 -> pool 5, so dense 16*5*5=400 -> 120: 400*120+120 = 48,120;
     * 120 -> 84: 10,164; 84 -> 10: 850. Total 61,706.
     */
    @Test
    void leNet5Has61706Parameters() {
        Cli.Result result = Cli.run("params", RepoPaths.testResources().resolve("lenet/LeNet5.dnn").toString());
        assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
        String out = result.out();
        assertThat(out).containsMatch("conv2d1\\.weight +\\[6, 1, 5, 5\\] +150 ");
        assertThat(out).containsMatch("conv2d2\\.weight +\\[16, 6, 5, 5\\] +2,400 ");
        assertThat(out).containsMatch("dense1\\.weight +\\[120, 400\\] +48,000 ");
        assertThat(out).containsMatch("dense2\\.weight +\\[84, 120\\] +10,080 ");
        assertThat(out).containsMatch("dense3\\.weight +\\[10, 84\\] +840 ");
        assertThat(out).contains("total trainable: 61,706 ");
    }

    /** Batch-norm running statistics are listed as buffers and kept out of the trainable total. */
    @Test
    void buffersAreListedButNotCountedAsTrainable() {
        Cli.Result result = Cli.run("params", RepoPaths.testResources().resolve("cli/batchnorm.dnn").toString());
        assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
        // conv 8@3x3 over 1 channel without bias: 72; batchnorm gamma and beta: 8 + 8; running mean and var: 16.
        assertThat(result.out()).containsMatch("running_mean +\\[8\\] +8 +zeros +buffer\n");
        assertThat(result.out()).contains("total trainable: 88 ");
        assertThat(result.out()).contains("buffers: 16");
    }

    /**
     * {@code freeze(body)} in cli/frozen-batchnorm.dnn freezes body and stem, which body depends on:
     * stem dense 8*16+16 = 144, body dense 16*16+16 = 272, two batch norms 2*(16+16) = 64, so 480
     * frozen; the head, 16*3+3 = 51, trains; the four running statistics, 64, are frozen buffers.
     */
    @Test
    void frozenParametersAreMarkedAndCountedApart() {
        Cli.Result result = Cli.run("params", RepoPaths.testResources().resolve("cli/frozen-batchnorm.dnn").toString());
        assertWithMessage(result.err()).that(result.exitCode()).isEqualTo(Main.OK);
        String out = result.out();
        assertThat(out).containsMatch("stem\\.dense1\\.weight +\\[16, 8\\] +128 +\\w+ +frozen\n");
        assertThat(out).containsMatch("body\\.batchnorm1\\.weight +\\[16\\] +16 +ones +frozen\n");
        assertThat(out).containsMatch("body\\.batchnorm1\\.running_var +\\[16\\] +16 +ones +frozen buffer\n");
        assertThat(out).containsMatch("head\\.dense1\\.weight +\\[3, 16\\] +48 +\\w+ +trained\n");
        assertThat(out).contains("total trainable: 51 (204 bytes as float32)");
        assertThat(out).contains("frozen: 480 (kept fixed by `freeze`)");
        assertThat(out).contains("buffers: 64");
        assertThat(Cli.run("check", RepoPaths.testResources().resolve("cli/frozen-batchnorm.dnn").toString()).out())
                .contains("(network FrozenNorm, 531 parameters)");
    }

    @Test
    void checkReportsTheSameTotal() {
        Path lenet = RepoPaths.testResources().resolve("lenet/LeNet5.dnn");
        assertThat(Cli.run("check", lenet.toString()).out()).contains("(network LeNet5, 61,706 parameters)");
    }
}
