package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every call of the convolutional networks' programs (training step, evaluation, prediction)
 * compiles against {@code org.dnnc.runtime.cuda}: the CNN and ResNet examples and the Vgg and
 * Strided bench networks, in a class built as {@link CudaCalls} describes. Whether the calls
 * compute what the CPU's do needs a GPU (the runtime's GPU tests check each launcher against its
 * CPU twin).
 */
class CudaConvolutionKernelsTest {

    @TempDir
    Path work;

    private String compiled(String name, String path) throws Exception {
        return compiled(name, path, true);
    }

    private String compiled(String name, String path, boolean fuse) throws Exception {
        CudaCalls.Source source = CudaCalls.of(name, CudaCalls.lower(path, fuse));
        CudaCalls.compile(name, source, work);
        assertThat(source.calls()).isAtLeast(10);
        return source.text();
    }

    @Test
    void everyCallOfTheCnnCompiles() throws Exception {
        String source = compiled("CnnCalls", "examples/fashion-cnn/src/main/dnn/FashionCnn.dnn");
        // Convolutions with their bias and activation, pooling and its gradient, through the runtime's launchers.
        assertThat(source).contains("CudaConv2d.forward(ctx, CONV_");
        assertThat(source).contains("CudaConv2d.backwardWeights(ctx, CONV_");
        assertThat(source).contains("CudaPool.maxForward(ctx, POOL_");
        assertThat(source).contains("CudaPool.maxBackward(ctx, POOL_");
    }

    @Test
    void everyCallOfTheUnfusedCnnCompiles() throws Exception {
        String source = compiled("UnfusedCnnCalls", "examples/fashion-cnn/src/main/dnn/FashionCnn.dnn", false);
        // Without the fusions the convolution's bias is an op of its own, over the channels, and so is its gradient.
        assertThat(source).contains("CudaConv2d.forward(ctx, CONV_");
        assertThat(source).containsMatch("CudaElementwise.addChannelBias\\(ctx, [^;]*, n, 16, 784\\);");
        assertThat(source).containsMatch("CudaElementwise.channelBiasGrad\\(ctx, [^;]*, n, 32, 196, false\\);");
        assertThat(source).contains("CudaBatchNorm.forwardInference(ctx,");
        // A dense layer's bias over the last axis.
        assertThat(source).containsMatch("CudaActivations.biasForward\\(ctx, Activation.IDENTITY, 0f, [^;]*, n, 10\\);");
    }

    @Test
    void everyCallOfTheResnetCompiles() throws Exception {
        String source = compiled("ResnetCalls", "examples/fashion-resnet/src/main/dnn/FashionResnet.dnn");
        // A residual and a ReLU fused into the batch norm; its three gradients in one call.
        assertThat(source).containsMatch("CudaBatchNorm.forwardTraining\\(ctx, [^;]*, null, null, "
                + "train\\d+_logits_conv_bn1_batchnorm1, n, 16, 784, 0.1f, 1.0E-5f, true, trainScratch\\d+\\);");
        assertThat(source).containsMatch("CudaBatchNorm.backward\\(ctx, [^;]*, null, null, train\\d+_d_[a-z0-9_]+, "
                + "train\\d+_d_[a-z0-9_]+_weight, train\\d+_d_[a-z0-9_]+_bias, n, 32, 196, 1.0E-5f, true, false, false, "
                + "trainScratch\\d+\\);");
        assertThat(source).contains("CudaPool.globalAvgForward(ctx,");
        assertThat(source).contains("CudaConv2d.backwardInput(ctx, CONV_");
        // The shortcut's batch norm feeds the residual of the block's last, whose ReLU masks both gradients:
        // the shortcut's gradient reads its own x and gamma, and the ReLU's output y.
        String x = "train\\d+_logits_residual_down1_shortcut_conv2d1";
        String forwardGamma = group(source, "CudaBatchNorm.forwardTraining\\(ctx, " + x + ", (trainParam\\d+),");
        String backwardGamma = group(source, "CudaBatchNorm.backward\\(ctx, " + x
                + ", train\\d+_logits_residual_down1_y_conv_bn2_batchnorm1, train\\d+_d_[a-z0-9_]+, (trainParam\\d+),");
        assertThat(backwardGamma).isEqualTo(forwardGamma);
    }

    private static String group(String source, String regex) {
        Matcher m = Pattern.compile(regex).matcher(source);
        assertWithMessage(regex).that(m.find()).isTrue();
        return m.group(1);
    }

    @Test
    void everyCallOfTheVggBenchNetworkCompiles() throws Exception {
        assertThat(compiled("VggCalls", "bench/networks/Vgg.dnn")).contains("CudaConv2d.forward(ctx,");
    }

    @Test
    void everyCallOfTheStridedBenchNetworkCompiles() throws Exception {
        String source = compiled("StridedCalls", "bench/networks/Strided.dnn");
        assertThat(source).contains("CudaConv2d.forward(ctx,");
        // Evaluation and prediction fold each batch norm into its convolution.
        assertThat(source).contains("CudaBatchNorm.foldWeight(ctx,");
        assertThat(source).contains("CudaBatchNorm.foldBias(ctx, null,");
    }
}
