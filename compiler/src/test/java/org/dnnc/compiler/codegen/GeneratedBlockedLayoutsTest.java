package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.testing.RepoPaths;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bench's {@code strided} network trains with its activations in {@code nChw16c}: its
 * convolutions, batch norms and global pooling name that layout and oneDNN, the image's
 * convolution reads it in NCHW, and the class compiles without a lint warning against the runtime.
 * So do {@code vgg}, whose pooled batch norms write their results blocked, and the ResNet example,
 * whose residual adds and their gradients read and write it.
 */
class GeneratedBlockedLayoutsTest {
    private static final Path STRIDED = RepoPaths.root().resolve("bench/networks/Strided.dnn");
    private static final Path VGG = RepoPaths.root().resolve("bench/networks/Vgg.dnn");
    private static final Path RESNET = RepoPaths.root().resolve("examples/fashion-resnet/src/main/dnn/FashionResnet.dnn");

    @TempDir
    Path work;

    /** The generated class of {@code network}, after checking that it compiles without a warning. */
    private String generate(Path network) throws Exception {
        SourceFile file = SourceFile.read(network);
        NetworkModel model = Compiler.compile(file).networks().get(0);
        String source = JavaGenerator.generate(model, file).toString();
        Class<?> generated = JavaSourceCompiler.compile(model.qualifiedName(), source, work,
                List.of("-Xlint:all", "-Werror"));
        assertThat(TrainableNetwork.class.isAssignableFrom(generated)).isTrue();
        return source;
    }

    @Test
    void stridedTrainsInTheBlockedLayout() throws Exception {
        String source = generate(STRIDED);
        assertThat(source).contains("import org.dnnc.runtime.cpu.Layout;");
        // The stem reads the image in NCHW and writes its result blocked.
        assertThat(source).containsMatch("Conv2d\\.forward\\(ConvAlgorithm\\.ONEDNN, [^;]*, Layout\\.NCHW, "
                + "Layout\\.NCHW16C\\);");
        assertThat(source).containsMatch("Conv2d\\.forward\\(ConvAlgorithm\\.ONEDNN, [^;]*, Layout\\.NCHW16C, "
                + "Layout\\.NCHW16C\\);");
        assertThat(source).containsMatch("Conv2d\\.backwardInput\\(ConvAlgorithm\\.ONEDNN, [^;]*, Layout\\.NCHW16C, "
                + "Layout\\.NCHW16C\\);");
        assertThat(source).containsMatch("Conv2d\\.backwardWeights\\(ConvAlgorithm\\.ONEDNN, [^;]*, Layout\\.NCHW, "
                + "Layout\\.NCHW16C\\);");
        assertThat(source).containsMatch("BatchNorm\\.forwardTraining\\([^;]*, null, n, [^;]*, true, "
                + "Layout\\.NCHW16C\\);");
        assertThat(source).containsMatch("BatchNorm\\.backward\\([^;]*, Layout\\.NCHW16C\\);");
        assertThat(source).containsMatch("GlobalAvgPool\\.forward\\([^;]*, Layout\\.NCHW16C\\);");
        assertThat(source).containsMatch("GlobalAvgPool\\.backward\\([^;]*, Layout\\.NCHW16C\\);");
        assertThat(source).contains("// nChw16c operands: oneDNN's kernels (else ");
        // The inference program's convolutions, with batch norm folded and the ReLU fused, keep the
        // blocked layout from the stem to the pooling too.
        assertThat(source).containsMatch("Conv2d\\.forward\\(ConvAlgorithm\\.ONEDNN, [^;]*, Activation\\.RELU, 0\\.0f, "
                + "Layout\\.NCHW16C, Layout\\.NCHW16C\\);");
        assertThat(source).doesNotContainMatch("Conv2d\\.forward\\([^;]*, Activation\\.RELU, 0\\.0f\\);");
    }

    @Test
    void vggKeepsTheBlockedLayoutUpToItsFlatten() throws Exception {
        String source = generate(VGG);
        // The pooled batch norms read the convolutions' results blocked and write the first two
        // stages' pooled maps blocked; the convolutions' bias gradients sum the blocked channels.
        assertThat(source).containsMatch("BatchNormPool\\.forwardTraining\\([^;]*, t22_[^;]*, Layout\\.NCHW16C, "
                + "Layout\\.NCHW16C\\);");
        assertThat(source).containsMatch("BatchNormPool\\.backward\\([^;]*, Layout\\.NCHW16C, Layout\\.NCHW16C\\);");
        assertThat(source).containsMatch("Conv2d\\.forward\\(ConvAlgorithm\\.ONEDNN, [^;]*, t22_[^;]*, Layout\\.NCHW16C, "
                + "Layout\\.NCHW16C\\);");
        assertThat(source).containsMatch("Conv2d\\.backwardBias\\([^;]*, false, Layout\\.NCHW16C\\);");
        // The last stage's pooled map is flattened: its pooled batch norm writes NCHW.
        assertThat(source).containsMatch("BatchNormPool\\.forwardTraining\\([^;]*, t64_[^;]*, Layout\\.NCHW16C, "
                + "Layout\\.NCHW\\);");
    }

    @Test
    void theResnetsResidualAddsReadAndWriteTheBlockedLayout() throws Exception {
        String source = generate(RESNET);
        // The gradients of the downsampling block's two paths meet in an add, in place over one of them.
        assertThat(source).containsMatch("Conv2d\\.backwardInput\\(ConvAlgorithm\\.ONEDNN, [^;]*, t98_\\w+, "
                + "tScratch98, n, false, Layout\\.NCHW16C, Layout\\.NCHW16C\\);");
        assertThat(source).contains("Elementwise.add(t98_");
        assertThat(source).containsMatch("BatchNorm\\.forwardTraining\\([^;]*, true, Layout\\.NCHW16C\\);");
        assertThat(source).doesNotContainMatch("BatchNorm\\.(forwardTraining|backward)\\([^;]*, (true|false)\\);");
    }
}
