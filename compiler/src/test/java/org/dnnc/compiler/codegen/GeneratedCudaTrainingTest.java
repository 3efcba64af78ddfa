package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiFunction;
import org.dnnc.runtime.Device;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.cuda.Cuda;
import org.dnnc.runtime.io.Checkpoint;
import org.dnnc.runtime.io.Safetensors;
import org.dnnc.runtime.io.SaveOptions;
import org.dnnc.runtime.io.TensorData;
import org.dnnc.runtime.train.NonFinite;
import org.dnnc.runtime.train.PendingStep;
import org.dnnc.runtime.train.StepResult;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Classes compiled with the CUDA target train on a GPU as they do on the CPU: from the same
 * initial weights, a few steps on each device give the same losses and weights within the
 * tolerances below, and a checkpoint saved on the GPU loads on the CPU with the same predictions:
 * the MLP, a dropout MLP, a clipped momentum network, the CNN, the GRU, an embedding trained
 * by plain SGD (sparse on the CPU), convolutions whose bias, ReLU and residual add are generated
 * kernels, and a weighted sum of {@code mse} and {@code bce_with_logits}.
 * Skipped, with the reason, where {@link Cuda#availability()} says CUDA cannot run. The classes
 * come from {@link CudaTestNetworks}: compiled here, or precompiled for the GPU machine.
 *
 * <p>Tolerances: cuBLAS sums in another order than OpenBLAS, so values differ in the last bits
 * and Adam, which divides by the gradient's running magnitude, can move a weight with a tiny
 * gradient the other way; so each loss within 1e-4 relative, the mean absolute weight difference
 * within 1e-5 and every weight within the most Adam moves one in these steps ({@code lr} per step),
 * and predictions within 1e-4.
 */
class GeneratedCudaTrainingTest {
    private static final int STEPS = 5;

    @TempDir
    Path work;

    @BeforeEach
    void needsAGpu() {
        Assumptions.assumeTrue(Cuda.availability().present(), "needs a CUDA GPU: " + Cuda.availability().reason());
    }

    private static TrainableNetwork build(Class<?> type, Device device) throws Exception {
        Object builder = type.getMethod("builder").invoke(null);
        builder.getClass().getMethod("seed", long.class).invoke(builder, 7L);
        builder.getClass().getMethod("threads", int.class).invoke(builder, 1);
        builder.getClass().getMethod("device", Device.class).invoke(builder, device);
        return (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder);
    }

    /** Deterministic examples: {@code features} floats and a label of {@code classes} each. */
    private static Inputs batch(int n, int features, int classes, int salt, String input) {
        float[] x = new float[n * features];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (i * 7 + salt) % classes;
            for (int j = 0; j < features; j++) {
                x[i * features + j] = (float) Math.sin(0.37 * (i + salt) + 0.11 * j) + (j % classes == labels[i] ? 0.5f : 0f);
            }
        }
        return Inputs.of(input, x).and("label", labels);
    }

    /** {@link #trainBoth(TrainableNetwork, TrainableNetwork, int, int, int, String, double, double)} with the class's tolerances. */
    private static void trainBoth(TrainableNetwork cpu, TrainableNetwork gpu, int maxBatch, int features, int classes,
            String input) {
        trainBoth(cpu, gpu, maxBatch, features, classes, input, 1e-3, 1e-5);
    }

    /**
     * Full batches (the captured step, from the second on) and a smaller one last (the direct
     * calls); then every weight within {@code perStep} per step of the CPU's and their mean absolute
     * difference under {@code mean}.
     */
    private static void trainBoth(TrainableNetwork cpu, TrainableNetwork gpu, int maxBatch, int features, int classes,
            String input, double perStep, double mean) {
        trainBoth(cpu, gpu, maxBatch, (n, step) -> batch(n, features, classes, step, input), perStep, mean);
    }

    /** As above, with the batches of {@code n} examples for each step from {@code batches}. */
    private static void trainBoth(TrainableNetwork cpu, TrainableNetwork gpu, int maxBatch,
            BiFunction<Integer, Integer, Inputs> batches, double perStep, double mean) {
        for (int step = 0; step <= STEPS; step++) {
            int n = step < STEPS ? maxBatch : maxBatch / 3;
            Inputs b = batches.apply(n, step);
            StepResult onCpu = cpu.trainStep(b, n, 1e-3);
            StepResult onGpu = gpu.trainStep(b, n, 1e-3);
            assertWithMessage("step %s loss", step).that(onGpu.lossSum())
                    .isWithin(1e-4 * Math.abs(onCpu.lossSum())).of(onCpu.lossSum());
            assertWithMessage("step %s correct", step).that(onGpu.correct()).isEqualTo(onCpu.correct());
        }
        float[] a = new float[cpu.parameterCount()];
        float[] b = new float[gpu.parameterCount()];
        cpu.copyParametersTo(a);
        gpu.copyParametersTo(b);
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            assertWithMessage("weight %s", i).that((double) b[i]).isWithin(perStep * (STEPS + 1)).of(a[i]);
            sum += Math.abs(a[i] - b[i]);
        }
        assertThat(sum / a.length).isLessThan(mean);
        assertThat(gpu.steps()).isEqualTo(cpu.steps());
    }

    @Test
    void theMlpTrainsOnTheGpuAsOnTheCpu() throws Exception {
        Class<?> type = CudaTestNetworks.load("mlp", work);
        try (TrainableNetwork cpu = build(type, Device.CPU); TrainableNetwork gpu = build(type, Device.CUDA)) {
            trainBoth(cpu, gpu, 64, 784, 10, "image");
            predictAndEvaluateBoth(cpu, gpu);
        }
    }

    /** The parameters of {@code net}, from the device when it trains on one. */
    private static float[] parameters(TrainableNetwork net) {
        float[] p = new float[net.parameterCount()];
        net.copyParametersTo(p);
        return p;
    }

    /**
     * A step whose batch holds a NaN (its loss and gradients are NaN) leaves every weight bit for
     * bit and is not counted; with steps started before the first is collected, {@code SKIP} lets
     * the finite step queued behind it update, and {@code STOP} holds it back, so the weights stay
     * those from before the diverging step, until a step starts with none in flight.
     */
    @Test
    void aNonFiniteStepChangesNothingAndStopHoldsTheStepQueuedBehindIt() throws Exception {
        Class<?> type = CudaTestNetworks.load("mlp", work);
        try (TrainableNetwork gpu = build(type, Device.CUDA)) {
            assertThat(gpu.trainStep(batch(64, 784, 10, 0, "image"), 64, 1e-3).finite()).isTrue();
            Inputs poisoned = batch(64, 784, 10, 1, "image");
            poisoned.floats("image")[5] = Float.NaN;
            float[] before = parameters(gpu);
            assertThat(gpu.trainStep(poisoned, 64, 1e-3).finite()).isFalse();
            assertThat(parameters(gpu)).isEqualTo(before);
            assertThat(gpu.steps()).isEqualTo(1);

            gpu.onNonFinite(NonFinite.SKIP);
            PendingStep bad = gpu.startTrainStep(poisoned, 64, 1e-3);
            PendingStep good = gpu.startTrainStep(batch(64, 784, 10, 2, "image"), 64, 1e-3);
            assertThat(bad.finish().finite()).isFalse();
            assertThat(good.finish().finite()).isTrue();
            assertThat(gpu.steps()).isEqualTo(2);

            gpu.onNonFinite(NonFinite.STOP);
            float[] kept = parameters(gpu);
            bad = gpu.startTrainStep(poisoned, 64, 1e-3);
            good = gpu.startTrainStep(batch(64, 784, 10, 3, "image"), 64, 1e-3);
            assertThat(bad.finish().lossSum()).isNaN();
            // Held back by the latched stop: it reports itself not finite, as its caller must stop too.
            StepResult held = good.finish();
            assertThat(held.lossSum()).isFinite();
            assertThat(held.finite()).isFalse();
            assertThat(parameters(gpu)).isEqualTo(kept);
            assertThat(gpu.steps()).isEqualTo(2);
            assertThat(gpu.trainStep(batch(64, 784, 10, 4, "image"), 64, 1e-3).finite()).isTrue();
            assertThat(gpu.steps()).isEqualTo(3);
        }
    }

    /** The predictions of 300 examples and an evaluation batch agree, after training both. */
    private static void predictAndEvaluateBoth(TrainableNetwork cpu, TrainableNetwork gpu) {
        Inputs test = batch(300, 784, 10, 99, "image");
        float[] onCpu = cpu.predict(test).get("probs");
        float[] onGpu = gpu.predict(test).get("probs");
        for (int i = 0; i < onCpu.length; i++) {
            assertWithMessage("probability %s", i).that((double) onGpu[i]).isWithin(1e-4).of(onCpu[i]);
        }
        StepResult evalCpu = cpu.evaluateStep(batch(64, 784, 10, 5, "image"), 64);
        StepResult evalGpu = gpu.evaluateStep(batch(64, 784, 10, 5, "image"), 64);
        assertThat(evalGpu.lossSum()).isWithin(1e-4 * Math.abs(evalCpu.lossSum())).of(evalCpu.lossSum());
        assertThat(evalGpu.correct()).isEqualTo(evalCpu.correct());
    }

    /**
     * The CNN (cuDNN's convolutions, or im2col and cuBLAS, against the CPU's; batch norm in training
     * and, for the predictions, with running statistics; dropout's masks). Looser weights than the
     * MLP's: a convolution's bias before a batch norm gets a gradient that is rounding noise (the
     * norm removes the bias), which Adam scales to a full step of either sign on each device, so
     * such a weight may end {@code 2 lr} per step away; the mean absolute difference stays under
     * 5e-5 (a wrong kernel moves every weight by about {@code lr}, 1e-3).
     */
    @Test
    void theCnnTrainsOnTheGpuAsOnTheCpu() throws Exception {
        Class<?> type = CudaTestNetworks.load("cnn", work);
        try (TrainableNetwork cpu = build(type, Device.CPU); TrainableNetwork gpu = build(type, Device.CUDA)) {
            trainBoth(cpu, gpu, 64, 784, 10, "image", 2e-3, 5e-5);
            predictAndEvaluateBoth(cpu, gpu);
        }
    }

    /**
     * The GRU over 28 rows (per step a cuBLAS GEMM and the step kernel, against the CPU's time loop;
     * backward through time), with the MLP's tolerances: the inputs are dense, so no weight's
     * gradient is rounding noise.
     */
    @Test
    void theGruTrainsOnTheGpuAsOnTheCpu() throws Exception {
        Class<?> type = CudaTestNetworks.load("gru", work);
        try (TrainableNetwork cpu = build(type, Device.CPU); TrainableNetwork gpu = build(type, Device.CUDA)) {
            trainBoth(cpu, gpu, 64, 784, 10, "image");
            predictAndEvaluateBoth(cpu, gpu);
        }
    }

    /**
     * Plain SGD with an embedding: the CPU updates the rows of the batch's ids from its sparse
     * gradient, the GPU the whole table from a dense one whose other rows are zero; both with
     * clip_norm. SGD moves each weight by {@code lr} times its gradient, so rounding differences stay
     * rounding-sized: every weight within 1e-5 per step, the mean under 1e-6.
     */
    @Test
    void aSparseEmbeddingGradientOnTheCpuMovesTheRowsADenseOneMovesOnTheGpu() throws Exception {
        Class<?> type = CudaTestNetworks.load("sgd", work);
        try (TrainableNetwork cpu = build(type, Device.CPU); TrainableNetwork gpu = build(type, Device.CUDA)) {
            trainBoth(cpu, gpu, 8, (n, step) -> {
                int[] ids = new int[n * 6];
                int[] labels = new int[n];
                for (int i = 0; i < n; i++) {
                    labels[i] = (i + step) % 3;
                    for (int t = 0; t < 6; t++) {
                        // Ids below 12 only: the table's other rows get no gradient on the CPU.
                        ids[i * 6 + t] = (i * 5 + t * 3 + step + labels[i]) % 12;
                    }
                }
                return Inputs.of("ids", ids).and("label", labels);
            }, 1e-5, 1e-6);
        }
    }

    /**
     * Convolutions without batch norm: on the GPU each one's bias and ReLU, and the residual block's
     * last bias, add and ReLU, are generated kernels with the bias read per channel; on the CPU the
     * convolutions' epilogues and the Java loop. The MLP's tolerances: no gradient is rounding noise.
     */
    @Test
    void generatedConvolutionEpiloguesTrainAndPredictAsOnTheCpu() throws Exception {
        Class<?> type = CudaTestNetworks.load("convchain", work);
        try (TrainableNetwork cpu = build(type, Device.CPU); TrainableNetwork gpu = build(type, Device.CUDA)) {
            trainBoth(cpu, gpu, 8, 128, 3, "x");
            Inputs test = batch(50, 128, 3, 17, "x");
            float[] onCpu = cpu.predict(test).get("probs");
            float[] onGpu = gpu.predict(test).get("probs");
            for (int i = 0; i < onCpu.length; i++) {
                assertWithMessage("probability %s", i).that((double) onGpu[i]).isWithin(1e-4).of(onCpu[i]);
            }
        }
    }

    /** {@code mse} plus a quarter of {@code bce_with_logits}: each loss's value and gradient on the device. */
    @Test
    void regressionLossesTrainAsOnTheCpu() throws Exception {
        Class<?> type = CudaTestNetworks.load("regression", work);
        try (TrainableNetwork cpu = build(type, Device.CPU); TrainableNetwork gpu = build(type, Device.CUDA)) {
            trainBoth(cpu, gpu, 8, (n, step) -> {
                float[] x = new float[n * 6];
                float[] target = new float[n * 3];
                float[] flags = new float[n * 2];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) Math.sin(0.29 * i + step);
                }
                for (int i = 0; i < target.length; i++) {
                    target[i] = (float) Math.cos(0.17 * i - step);
                }
                for (int i = 0; i < flags.length; i++) {
                    flags[i] = (i + step) % 3 == 0 ? 1f : 0f;
                }
                return Inputs.of("x", x).and("target", target).and("flags", flags);
            }, 1e-3, 1e-5);
        }
    }

    @Test
    void dropoutDrawsTheCpusMasksOnTheGpu() throws Exception {
        Class<?> type = CudaTestNetworks.load("dropout", work);
        int maxBatch = (int) type.getField("MAX_BATCH").get(null);
        try (TrainableNetwork cpu = build(type, Device.CPU); TrainableNetwork gpu = build(type, Device.CUDA)) {
            trainBoth(cpu, gpu, maxBatch, 6, 3, "x");
        }
    }

    @Test
    void clippingAndMomentumStepAsOnTheCpu() throws Exception {
        Class<?> type = CudaTestNetworks.load("clipped", work);
        try (TrainableNetwork cpu = build(type, Device.CPU); TrainableNetwork gpu = build(type, Device.CUDA)) {
            trainBoth(cpu, gpu, 8, 6, 3, "x");
        }
    }

    @Test
    void aCheckpointSavedOnTheGpuLoadsOnTheCpuWithTheSamePredictions() throws Exception {
        Class<?> type = CudaTestNetworks.load("mlp", work);
        Method save = type.getMethod("save", Path.class, SaveOptions.class);
        Method load = type.getMethod("load", Path.class);
        Path onGpu = work.resolve("gpu.safetensors");
        Path again = work.resolve("cpu.safetensors");
        Inputs test = batch(300, 784, 10, 42, "image");
        try (TrainableNetwork gpu = build(type, Device.CUDA)) {
            for (int step = 0; step < STEPS; step++) {
                gpu.trainStep(batch(64, 784, 10, step, "image"), 64, 1e-3);
            }
            save.invoke(gpu, onGpu, SaveOptions.withTrainingState());
            float[] expected = gpu.predict(test).get("probs");
            try (TrainableNetwork cpu = build(type, Device.CPU)) {
                load.invoke(cpu, onGpu);
                float[] actual = cpu.predict(test).get("probs");
                for (int i = 0; i < expected.length; i++) {
                    assertWithMessage("probability %s", i).that((double) actual[i]).isWithin(1e-4).of(expected[i]);
                }
                // The CPU writes the very checkpoint it read: the files are the same between devices.
                save.invoke(cpu, again, SaveOptions.withTrainingState());
            }
        }
        Checkpoint a = Safetensors.read(onGpu);
        Checkpoint b = Safetensors.read(again);
        assertThat(b.metadata()).isEqualTo(a.metadata());
        for (Map.Entry<String, TensorData> e : a.tensors().entrySet()) {
            assertWithMessage("tensor %s", e.getKey()).that(b.tensors().get(e.getKey()).toFloats())
                    .isEqualTo(e.getValue().toFloats());
        }
    }
}
