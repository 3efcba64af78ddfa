package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.dnnc.compiler.autodiff.GoldenCase;
import org.dnnc.runtime.Device;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.cuda.Cuda;
import org.dnnc.runtime.io.Checkpoint;
import org.dnnc.runtime.io.Safetensors;
import org.dnnc.runtime.io.TensorData;
import org.dnnc.runtime.train.StepResult;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PyTorch's training steps of {@code ../shared/golden} ({@code mlp_step}, {@code cnn_step}) through
 * a generated class compiled for both targets, on each device: the class loads PyTorch's weights
 * from a checkpoint, takes one plain-SGD step with rate 1 on the case's batch, and then its loss,
 * its logits before the step (the MLP's; the CNN's logits come from training-mode batch norm, which
 * prediction does not use) and every parameter's gradient, read as the weights' change, match the
 * case within its tolerances ({@code |a - b| <= atol + rtol·|b|}: 2e-5 and 1e-4 for the MLP, 5e-5
 * and 2e-4 for the CNN, as the interpreter's golden tests use; the change of a float weight adds at
 * most half an ulp of the weight, under 1e-8 here). The CPU runs check the harness here; the CUDA
 * runs are skipped, with the reason, where {@link Cuda#availability()} says CUDA cannot run.
 */
class GoldenStepsOnDevicesTest {
    /** {@code GoldenMlp.dnn} of the interpreter's test, trained by plain SGD on the case's 4 examples. */
    static final String MLP = """
            network GoldenMlp {
                input x: float[784];
                input label: int;
                logits = x -> dense(256) -> relu -> dense(128) -> relu -> dense(10);
                output scores = logits;
                train { loss = cross_entropy(logits, label); optimizer = sgd(lr: 1.0); batch = 4; }
            }
            """;
    /** {@code GoldenCnn.dnn} of the interpreter's test, trained by plain SGD on the case's 2 examples. */
    static final String CNN = """
            network GoldenCnn {
                input x: float[1, 28, 28];
                input label: int;
                logits = x -> conv2d(4, 5, padding: 2) -> batchnorm -> relu -> maxpool(2)
                           -> conv2d(8, 5, padding: 2) -> batchnorm -> relu -> maxpool(2)
                           -> flatten -> dense(10);
                output scores = logits;
                train { loss = cross_entropy(logits, label); optimizer = sgd(lr: 1.0); batch = 2; }
            }
            """;
    /** PyTorch's nn.Sequential indices to the classes' parameter names. */
    private static final Map<String, String> MLP_NAMES = Map.of(
            "0", "logits.dense1", "2", "logits.dense2", "4", "logits.dense3");
    private static final Map<String, String> CNN_NAMES = Map.of(
            "0", "logits.conv2d1", "1", "logits.batchnorm1", "4", "logits.conv2d2", "5", "logits.batchnorm2",
            "9", "logits.dense1");

    @TempDir
    Path work;

    @Test
    void theMlpStepMatchesPyTorchOnTheCpu() throws Exception {
        step("golden_mlp", GoldenCase.of("mlp_step", 2e-5, 1e-4), MLP_NAMES, Device.CPU, true);
    }

    @Test
    void theCnnStepMatchesPyTorchOnTheCpu() throws Exception {
        step("golden_cnn", GoldenCase.of("cnn_step", 5e-5, 2e-4), CNN_NAMES, Device.CPU, false);
    }

    @Test
    void theMlpStepMatchesPyTorchOnTheGpu() throws Exception {
        needsAGpu();
        step("golden_mlp", GoldenCase.of("mlp_step", 2e-5, 1e-4), MLP_NAMES, Device.CUDA, true);
    }

    @Test
    void theCnnStepMatchesPyTorchOnTheGpu() throws Exception {
        needsAGpu();
        step("golden_cnn", GoldenCase.of("cnn_step", 5e-5, 2e-4), CNN_NAMES, Device.CUDA, false);
    }

    private static void needsAGpu() {
        Assumptions.assumeTrue(Cuda.availability().present(), "needs a CUDA GPU: " + Cuda.availability().reason());
    }

    private void step(String network, GoldenCase golden, Map<String, String> names, Device device, boolean logits)
            throws Exception {
        Class<?> type = CudaTestNetworks.load(network, work);
        Method save = type.getMethod("save", Path.class);
        Method load = type.getMethod("load", Path.class);
        float[] x = golden.readFloats("x.npy");
        double[] labels = golden.read("label.npy");
        int n = labels.length;
        int[] label = new int[n];
        for (int i = 0; i < n; i++) {
            label[i] = (int) labels[i];
        }
        try (TrainableNetwork net = build(type, device)) {
            // PyTorch's weights, in a checkpoint of this class: its own tensors with the case's replacing them.
            Path fresh = work.resolve(device + "-fresh.safetensors");
            save.invoke(net, fresh);
            Checkpoint saved = Safetensors.read(fresh);
            Map<String, TensorData> tensors = new LinkedHashMap<>(saved.tensors());
            Map<String, float[]> before = new LinkedHashMap<>();
            names.forEach((index, layer) -> {
                for (String part : new String[] {"weight", "bias"}) {
                    String name = layer + "." + part;
                    TensorData mine = tensors.get(name);
                    assertThat(mine).isNotNull();
                    float[] values = golden.readFloats(index + "_" + part + ".npy");
                    assertThat(values.length).isEqualTo(mine.toFloats().length);
                    tensors.put(name, TensorData.f32(values, mine.shape()));
                    before.put(name, values);
                }
            });
            Path start = work.resolve(device + "-start.safetensors");
            Safetensors.write(start, tensors, saved.metadata());
            load.invoke(net, start);

            if (logits) {
                golden.assertMatches("logits", net.predict(Inputs.of("x", x)).get("scores"), "logits.npy");
            }
            StepResult result = net.trainStep(Inputs.of("x", x).and("label", label), n, 1.0);
            golden.assertMatches("loss", new double[] {result.lossSum() / n}, "loss.npy");

            Path after = work.resolve(device + "-after.safetensors");
            save.invoke(net, after);
            Map<String, TensorData> stepped = Safetensors.read(after).tensors();
            names.forEach((index, layer) -> {
                for (String part : new String[] {"weight", "bias"}) {
                    String name = layer + "." + part;
                    float[] w = before.get(name);
                    float[] moved = stepped.get(name).toFloats();
                    double[] gradient = new double[w.length];
                    for (int i = 0; i < w.length; i++) {
                        gradient[i] = (double) w[i] - moved[i];
                    }
                    golden.assertMatches(name + " gradient", gradient, "d" + index + "_" + part + ".npy");
                }
            });
        }
    }

    private static TrainableNetwork build(Class<?> type, Device device) throws Exception {
        Object builder = type.getMethod("builder").invoke(null);
        builder.getClass().getMethod("threads", int.class).invoke(builder, 1);
        builder.getClass().getMethod("device", Device.class).invoke(builder, device);
        return (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder);
    }
}
