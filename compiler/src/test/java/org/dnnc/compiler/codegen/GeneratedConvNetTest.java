package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.autodiff.Frozen;
import org.dnnc.compiler.autodiff.Inference;
import org.dnnc.compiler.autodiff.Interpreter;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.testing.RepoPaths;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.train.StepResult;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The generated code of a small network with every convolutional and normalization op, fused and
 * unfused, against the double-precision reference interpreter run on the unoptimized programs:
 * one SGD step with learning rate 1 moves each trained parameter by exactly minus its gradient,
 * moves each batchnorm's running averages by a tenth towards the batch statistics, and reports
 * the loss; prediction after the step uses the running averages (folded into the convolutions
 * when fused). {@code FrozenConvNet} has frozen batch norms between trained layers: their
 * parameters and running averages stay bit for bit, and the gradient reaches the layers before them.
 * {@code PooledConvNet} has max poolings after batchnorm and ReLU, which fusion makes one kernel.
 * {@code SmallMapConvNet} has an input gradient by transposed Winograd rows on an 8x8 map.
 * {@code WideDenseNet} has a dense layer large enough for the runtime to run it in oneDNN's matmul.
 *
 * <p>Tolerance: the generated code computes in float (sums of up to 256 terms), the reference in
 * double; each value may differ by {@code 2e-3} times the largest magnitude of its tensor (at least
 * 1e-3 absolute), far below the size of any indexing or formula mistake.
 */
class GeneratedConvNetTest {
    private static final int BATCH = 4;
    private static final double TOLERANCE = 2e-3;

    @TempDir
    static Path work;

    @ParameterizedTest(name = "{0} fuse={1}")
    @CsvSource({"ConvNet, true", "ConvNet, false", "FrozenConvNet, true", "FrozenConvNet, false", "PooledConvNet, true",
            "PooledConvNet, false", "SmallMapConvNet, true", "SmallMapConvNet, false", "WideDenseNet, true", "WideDenseNet, false"})
    void oneStepMatchesTheReference(String network, boolean fuse) throws Exception {
        SourceFile file = SourceFile.read(RepoPaths.testResources().resolve("codegen/" + network + ".dnn"));
        NetworkModel model = Compiler.compile(file).networks().get(0);
        String source = JavaGenerator.generate(model, file, fuse).toString();
        Class<?> generated = JavaSourceCompiler.compile(model.qualifiedName(), source,
                work.resolve(network + (fuse ? "-fused" : "-unfused")), List.of("-Xlint:all", "-Werror"));
        if (fuse && network.equals("ConvNet")) {
            assertThat(source).contains("BatchNorm.forwardTraining(");
            assertThat(source).contains(", true);\n"); // batchnorm_relu in one pass
            // The residual add in the batchnorm's pass (batchnorm_add_relu), and the algorithms of small maps.
            assertThat(source).containsMatch("BatchNorm\\.forwardTraining\\([^;]*, tSaved\\d+, t\\d+_\\w+, n, 6, 16, ");
            // Each batchnorm's statistics, saved by its forward call, are what its gradients' call reads.
            Matcher saved = Pattern.compile(
                    "BatchNorm\\.forwardTraining\\([^;]*?, (tSaved\\d+), ").matcher(source);
            int batchNorms = 0;
            while (saved.find()) {
                assertThat(source).containsMatch("BatchNorm\\.backward\\([^;]*, " + saved.group(1) + ", ");
                batchNorms++;
            }
            assertThat(batchNorms).isAtLeast(2);
            assertThat(source).contains("Conv2d.forward(ConvAlgorithm.IM2COL_BATCHED, ");
            assertThat(source).contains("Conv2d.backwardInput(ConvAlgorithm.IM2COL_BATCHED, ");
            assertThat(source).contains("Conv2d.backwardWeights(ConvAlgorithm.POINTWISE, ");
            assertThat(source).contains("BatchNorm.foldWeight(");
        }
        if (network.equals("PooledConvNet")) {
            // Fused, both poolings are in the batchnorm's kernels, forward and backward.
            long calls = fuse ? 2 : 0;
            assertThat(count(source, "BatchNormPool.forwardTraining(")).isEqualTo(calls);
            assertThat(count(source, "BatchNormPool.backward(")).isEqualTo(calls);
        }
        if (network.equals("SmallMapConvNet") && !fuse) {
            // In the scratch planned for it (more than two column matrices; CpuScratchTest).
            assertThat(source).contains("Conv2d.backwardInput(ConvAlgorithm.WINOGRAD_TRANSPOSED, ");
        }
        if (network.equals("SmallMapConvNet") && fuse) {
            // Its 32-channel maps are blocked (LayoutAssignment): every pass of the second convolution
            // and the batch norm run on nChw16c views, in oneDNN where it may run.
            assertThat(source).containsMatch("Conv2d\\.backwardInput\\(ConvAlgorithm\\.ONEDNN, [^;]*, "
                    + "Layout\\.NCHW16C, Layout\\.NCHW16C\\);");
            assertThat(source).containsMatch("BatchNorm\\.backward\\([^;]*, Layout\\.NCHW16C\\);");
        }
        if (network.equals("FrozenConvNet")) {
            assertThat(source).doesNotContain("BatchNorm.forwardTraining(");
            assertThat(source).contains("BatchNorm.backwardInputInference(");
        }
        // The reference runs the training program as the pipeline builds it, before any pass.
        Graph train = Differentiator.train(Frozen.forward(model.graph(), model.train()),
                Frozen.trainable(model.train())).graph();
        List<Node> params = train.params();
        SplittableRandom random = new SplittableRandom(7);
        float[] image = new float[BATCH * 2 * 8 * 8];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) random.nextDouble(-2, 2);
        }
        int[] labels = {0, 2, 1, 2};

        try (TrainableNetwork net = build(generated)) {
            float[] before = new float[net.parameterCount()];
            net.copyParametersTo(before);
            Map<String, double[]> values = new HashMap<>();
            Map<String, Integer> offsets = new HashMap<>();
            int offset = 0;
            for (Node p : params) {
                String name = ((Param) p.op()).name();
                int count = count(p);
                double[] v = new double[count];
                for (int i = 0; i < count; i++) {
                    v[i] = before[offset + i];
                }
                values.put(name, v);
                offsets.put(name, offset);
                offset += count;
            }
            assertThat(offset).isEqualTo(before.length);
            double[] x = new double[image.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = image[i];
            }
            values.put("image", x);
            values.put("label", new double[] {0, 2, 1, 2});
            Map<Integer, double[]> reference = new Interpreter(BATCH, values, 0).run(train);

            StepResult step = net.trainStep(Inputs.of("image", image).and("label", labels), BATCH, 1.0);
            double loss = reference.get(train.outputs().get(Differentiator.LOSS))[0];
            assertWithMessage("loss").that(step.lossSum() / BATCH).isWithin(1e-4 * Math.max(1, Math.abs(loss))).of(loss);

            float[] after = new float[before.length];
            net.copyParametersTo(after);
            for (Node p : params) {
                Param param = (Param) p.op();
                int at = offsets.get(param.name());
                double[] expected = new double[count(p)];
                double[] actual = new double[expected.length];
                Integer gradient = train.outputs().get("grad:" + param.name());
                for (int i = 0; i < expected.length; i++) {
                    actual[i] = after[at + i];
                    expected[i] = gradient != null ? before[at + i] - reference.get(gradient.intValue())[i]
                            : model.train().frozen().contains(param.name()) ? before[at + i]
                            : runningAverage(train, reference, param.name(), i, before[at + i]);
                }
                if (model.train().frozen().contains(param.name())) {
                    assertWithMessage("frozen %s", param.name()).that(actual).isEqualTo(expected);
                }
                assertClose(param.name(), actual, expected);
            }

            // Prediction after the step: the inference program with the running averages.
            Map<String, double[]> updated = new HashMap<>(values);
            for (Node p : params) {
                String name = ((Param) p.op()).name();
                double[] v = new double[count(p)];
                for (int i = 0; i < v.length; i++) {
                    v[i] = after[offsets.get(name) + i];
                }
                updated.put(name, v);
            }
            Graph infer = Inference.of(model.graph()).graph();
            double[] probs = new Interpreter(BATCH, updated, 0).run(infer).get(infer.outputs().get("probs"));
            float[] predicted = new float[probs.length];
            generated.getMethod("predict", float[].class, int.class, float[].class).invoke(net, image, BATCH, predicted);
            double[] actual = new double[predicted.length];
            for (int i = 0; i < actual.length; i++) {
                actual[i] = predicted[i];
            }
            assertClose("probs", actual, probs);
        }
    }

    /** What the training step makes of a running mean or variance: 0.9 of it plus 0.1 of the batch's. */
    private static double runningAverage(Graph train, Map<Integer, double[]> reference, String name, int channel,
            double old) {
        String layer = name.substring(0, name.lastIndexOf('.'));
        Node norm = train.nodes().stream()
                .filter(n -> n.op() instanceof org.dnnc.compiler.ir.BatchNorm
                        && train.node(n.inputs().get(3)).op() instanceof Param p && p.name().equals(layer + ".running_mean"))
                .findFirst().orElseThrow();
        double[] x = reference.get(norm.inputs().get(0));
        int channels = norm.type().dim(1).bound();
        int spatial = x.length / BATCH / channels;
        double sum = 0;
        double squares = 0;
        int m = BATCH * spatial;
        for (int b = 0; b < BATCH; b++) {
            for (int s = 0; s < spatial; s++) {
                double v = x[(b * channels + channel) * spatial + s];
                sum += v;
                squares += v * v;
            }
        }
        double mean = sum / m;
        double unbiased = (squares - m * mean * mean) / (m - 1);
        return 0.9 * old + 0.1 * (name.endsWith("running_mean") ? mean : unbiased);
    }

    private static void assertClose(String name, double[] actual, double[] expected) {
        assertWithMessage("%s size", name).that(actual.length).isEqualTo(expected.length);
        double scale = 1e-3 / TOLERANCE;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertWithMessage("%s[%s]", name, i).that(actual[i]).isWithin(TOLERANCE * scale).of(expected[i]);
        }
    }

    private static int count(Node p) {
        int c = 1;
        for (var d : p.type().dims()) {
            c *= d.bound();
        }
        return c;
    }

    private static TrainableNetwork build(Class<?> generated) throws Exception {
        Object builder = generated.getMethod("builder").invoke(null);
        builder.getClass().getMethod("seed", long.class).invoke(builder, 3L);
        builder.getClass().getMethod("threads", int.class).invoke(builder, 2);
        return (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder);
    }

    private static long count(String source, String call) {
        return source.split(java.util.regex.Pattern.quote(call), -1).length - 1;
    }
}
