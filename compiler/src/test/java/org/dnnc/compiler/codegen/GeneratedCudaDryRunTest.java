package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.target.CudaTarget;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.cuda.CudaContext;
import org.dnnc.runtime.cuda.DevBuf;
import org.dnnc.runtime.cuda.Kernel;
import org.dnnc.runtime.cuda.KernelSource;
import org.dnnc.runtime.cuda.LaunchArgs;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.train.NonFinite;
import org.dnnc.runtime.train.PendingStep;
import org.dnnc.runtime.train.Trainer;
import org.dnnc.runtime.io.SaveOptions;
import org.dnnc.runtime.train.StepResult;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA half of a generated class run without a GPU, on a recording context
 * ({@link CudaContext#recording}): every step, pass and checkpoint call goes through the views,
 * slices, uploads, copies, GEMM bounds checks and launches it makes on a GPU, so a size or slice
 * that does not fit fails here, and the launches are counted: the MLP, a dropout MLP, the CNN, the
 * GRU, the attention-decoder Reverser, FortunesTopics, the autoencoder (mse) and a weighted sum of
 * regression losses. Nothing is computed (downloads leave
 * the host buffers as they were), so values are {@link GeneratedCudaTrainingTest}'s, on a GPU.
 */
class GeneratedCudaDryRunTest {
    private static final Pattern KERNEL = Pattern.compile("__global__ void (\\w+)\\(([^)]*)\\)");

    @TempDir
    Path work;

    /** Kernel name to launches. */
    private final Map<String, Integer> launches = new LinkedHashMap<>();
    /** Kernel name to the kinds of the arguments its launches passed. */
    private final Map<String, String> passed = new LinkedHashMap<>();
    /** Every launch (by kernel name), copy, wait and graph replay, in order. */
    private final List<String> trace = new ArrayList<>();
    /** The device address each launch of an update or clipping kernel passed as its flag {@code apply}. */
    private final List<Long> flags = new ArrayList<>();
    /** The kernels that take the step gate's flag, and where. */
    private static final Map<String, Integer> FLAG_ARGUMENT = flagArguments();

    /** Kernel name to the index of its parameter {@code apply}, for the optimizer and clipping kernels. */
    private static Map<String, Integer> flagArguments() {
        Map<String, Integer> at = new LinkedHashMap<>();
        for (String family : List.of("optimizer", "clipping")) {
            Matcher m = KERNEL.matcher(KernelSource.resource(family).source());
            while (m.find()) {
                List<String> names = Arrays.stream(m.group(2).split(","))
                        .map(p -> p.strip().substring(p.strip().lastIndexOf(' ') + 1).replace("*", "")).toList();
                if (names.contains("apply")) {
                    at.put(m.group(1), names.indexOf("apply"));
                }
            }
        }
        return at;
    }

    private TrainableNetwork onRecording(Path dnn, String folder) throws Exception {
        return onRecording(SourceFile.read(dnn), folder);
    }

    private TrainableNetwork onRecording(SourceFile file, String folder) throws Exception {
        NetworkModel model = Compiler.compile(file).networks().get(0);
        String code = JavaGenerator.generate(model, file, true, Set.of(CpuTarget.INSTANCE, CudaTarget.INSTANCE))
                .toString();
        Class<?> type = JavaSourceCompiler.compile(model.qualifiedName(), code, work.resolve(folder), List.of());
        Object builder = type.getMethod("builder").invoke(null);
        builder.getClass().getMethod("threads", int.class).invoke(builder, 1);
        TrainableNetwork net = (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder);
        CudaContext ctx = CudaContext.recording(new CudaContext.LaunchSink() {
            @Override
            public void launched(Kernel kernel, int gridX, int gridY, int block, LaunchArgs args) {
                launches.merge(kernel.name(), 1, Integer::sum);
                passed.put(kernel.name(), args.signature());
                trace.add(kernel.name());
                Integer flag = FLAG_ARGUMENT.get(kernel.name());
                if (flag != null) {
                    flags.add(args.bits(flag));
                }
            }

            @Override
            public void stream(String operation) {
                trace.add(operation);
            }
        });
        Class<?> half = Class.forName(type.getName() + "$OnCuda", true, type.getClassLoader());
        Constructor<?> open = half.getDeclaredConstructor(type, CudaContext.class);
        open.setAccessible(true);
        Field cuda = type.getDeclaredField("cuda");
        cuda.setAccessible(true);
        cuda.set(net, open.newInstance(net, ctx));
        return net;
    }

    private static Inputs images(int n) {
        return Inputs.of("image", new float[n * 784]).and("label", new int[n]);
    }

    @Test
    void theMlpsStepsPassesAndCheckpointsFitTheirViews() throws Exception {
        try (TrainableNetwork net = onRecording(GeneratedCudaClassTest.MLP, "mlp")) {
            Class<?> type = net.getClass();
            // Twice the full batch (run, then the captured work), then a smaller one (direct calls).
            for (int n : new int[] {64, 64, 20}) {
                StepResult r = net.trainStep(images(n), n, 1e-3);
                assertThat(r.finite()).isTrue();
            }
            assertThat(net.steps()).isEqualTo(3);
            // Six parameters, each updated once per step; the gradients' norm once per step.
            assertThat(launches.get("opt_adam")).isEqualTo(18);
            assertThat(launches.get("clip_finish")).isEqualTo(3);
            net.evaluateStep(images(64), 64);
            assertThat(net.predict(Inputs.of("image", new float[300 * 784])).get("probs")).hasLength(3000);
            float[] out = new float[5 * 10];
            type.getMethod("predict", float[].class, int.class, float[].class).invoke(net, new float[5 * 784], 5, out);
            Path checkpoint = work.resolve("mlp.safetensors");
            type.getMethod("save", Path.class, SaveOptions.class).invoke(net, checkpoint, SaveOptions.withTrainingState());
            Method load = type.getMethod("load", Path.class);
            load.invoke(net, checkpoint);
            net.trainStep(images(64), 64, 1e-3);
            assertThat(net.steps()).isEqualTo(4);
        }
        assertThat(launches).containsKey("softmax_forward");
    }

    /** Three steps (full, captured, smaller), an evaluation, a prediction of 300 examples, a save and a load. */
    private void trainEvaluatePredictSaveLoad(TrainableNetwork net, String name) throws Exception {
        Class<?> type = net.getClass();
        for (int n : new int[] {64, 64, 20}) {
            assertThat(net.trainStep(images(n), n, 1e-3).finite()).isTrue();
        }
        net.evaluateStep(images(64), 64);
        assertThat(net.predict(Inputs.of("image", new float[300 * 784])).get("probs")).hasLength(3000);
        Path checkpoint = work.resolve(name + ".safetensors");
        type.getMethod("save", Path.class, SaveOptions.class).invoke(net, checkpoint, SaveOptions.withTrainingState());
        type.getMethod("load", Path.class).invoke(net, checkpoint);
        assertThat(net.steps()).isEqualTo(3);
    }

    /** The name of the generated kernel of the CUDA half whose header says it computes {@code chain}. */
    private static String kernelComputing(TrainableNetwork net, String chain) throws Exception {
        for (Field f : Class.forName(net.getClass().getName() + "$OnCuda", false, net.getClass().getClassLoader())
                .getDeclaredFields()) {
            if (f.getName().endsWith("_SOURCE")) {
                f.setAccessible(true);
                String source = (String) f.get(null);
                Matcher m = KERNEL.matcher(source);
                if (source.startsWith("// ") && source.lines().findFirst().orElseThrow().endsWith(": " + chain)
                        && m.find()) {
                    return m.group(1);
                }
            }
        }
        throw new AssertionError("no generated kernel computes " + chain);
    }

    /** A static field of the CUDA half: an int, or the length of an int array. */
    private static int half(TrainableNetwork net, String field) throws Exception {
        Field f = Class.forName(net.getClass().getName() + "$OnCuda", false, net.getClass().getClassLoader())
                .getDeclaredField(field);
        f.setAccessible(true);
        Object value = f.get(null);
        return value instanceof int[] sizes ? sizes.length : (int) value;
    }

    @Test
    void theCnnsConvolutionsPoolingsAndBatchNormsFitTheirViews() throws Exception {
        String epilogue;
        int passes;
        try (TrainableNetwork net = onRecording(GeneratedCudaNetworksTest.CNN, "cnn")) {
            trainEvaluatePredictSaveLoad(net, "cnn");
            // Every parameter updated once per step.
            assertThat(launches.get("opt_adam")).isEqualTo(3 * half(net, "GRADIENT_SIZES"));
            epilogue = kernelComputing(net, "t0 = add(in0, in1); t1 = relu(t0); per channel: in1");
            int predictBatch = half(net, "PREDICT_BATCH");
            passes = 1 + (300 + predictBatch - 1) / predictBatch;
        }
        // Evaluation and inference fold each batch norm into its convolution: the folded bias and the
        // ReLU of each of the two are one generated kernel per pass, where they were a channel-bias
        // kernel and an activation kernel. Training keeps the convolutions' bias before their batch
        // norms, one channel-bias kernel each per step, and has no activation of its own to apply.
        assertThat(launches.get(epilogue)).isEqualTo(2 * passes);
        assertThat(launches.get("ew_add_channel_bias")).isEqualTo(2 * 3);
        assertThat(launches).doesNotContainKey("act_forward");
        assertThat(passed.get(epilogue)).isEqualTo("ppp" + "iii");
        // No cuDNN on a recording context: the convolutions take im2col and GEMMs, backward col2im.
        assertThat(launches).containsKey("im2col");
        assertThat(launches).containsKey("col2im");
        assertThat(launches).containsKey("max_pool_forward");
        assertThat(launches).containsKey("max_pool_backward");
        assertThat(launches).containsKey("bn_stats");
        assertThat(launches).containsKey("bn_backward_input");
    }

    @Test
    void theResnetsFoldedConvolutionsEndInOneGeneratedKernelEach() throws Exception {
        String relu;
        String residual;
        int passes;
        try (TrainableNetwork net = onRecording(GeneratedCudaNetworksTest.RESNET, "resnet")) {
            trainEvaluatePredictSaveLoad(net, "resnet");
            relu = kernelComputing(net, "t0 = add(in0, in1); t1 = relu(t0); per channel: in1");
            residual = kernelComputing(net, "t0 = add(in0, in1); t1 = add(in2, t0); t2 = relu(t1); per channel: in1");
            int predictBatch = half(net, "PREDICT_BATCH");
            passes = 1 + (300 + predictBatch - 1) / predictBatch;
        }
        // Per evaluation or inference pass, of the seven convolutions (batch norms folded in): four end in
        // their bias and ReLU, three blocks' last in their bias, the residual add and the ReLU, one
        // kernel each; the projection shortcut, added into the chain of the block's other branch, keeps
        // its channel-bias kernel. Before, each bias and each ReLU was a kernel, and each residual add
        // and ReLU one more: fourteen launches a pass where there are eight.
        assertThat(launches.get(relu)).isEqualTo(4 * passes);
        assertThat(launches.get(residual)).isEqualTo(3 * passes);
        assertThat(launches.get("ew_add_channel_bias")).isEqualTo(passes);
        assertThat(launches).doesNotContainKey("act_forward");
        assertThat(passed.get(residual)).isEqualTo("pppp" + "iii");
    }

    @Test
    void convolutionsWithoutBatchNormTrainWithGeneratedEpilogues() throws Exception {
        SourceFile file = new SourceFile(work.resolve("ConvChain.dnn").toString(), GeneratedCudaNetworksTest.CONV_CHAIN);
        String relu;
        String residual;
        int passes;
        try (TrainableNetwork net = onRecording(file, "convchain")) {
            for (int n : new int[] {8, 8, 3}) {
                Inputs batch = Inputs.of("x", new float[n * 128]).and("label", new int[n]);
                assertThat(net.trainStep(batch, n, 1e-3).finite()).isTrue();
            }
            assertThat(net.predict(Inputs.of("x", new float[50 * 128])).get("probs")).hasLength(150);
            relu = kernelComputing(net, "t0 = add(in0, in1); t1 = relu(t0); per channel: in1");
            residual = kernelComputing(net, "t0 = add(in0, in1); t1 = add(in2, t0); t2 = relu(t1); per channel: in1");
            int predictBatch = half(net, "PREDICT_BATCH");
            passes = 3 + (50 + predictBatch - 1) / predictBatch;
        }
        // Per forward pass (three training steps, then the predictions): two convolutions end in their
        // bias and ReLU, the third in its bias, the residual add and the ReLU, one kernel each; no
        // channel-bias or activation kernel is left. Backward, each bias gradient is a reduction of its own.
        assertThat(launches.get(relu)).isEqualTo(2 * passes);
        assertThat(launches.get(residual)).isEqualTo(passes);
        assertThat(launches).doesNotContainKey("ew_add_channel_bias");
        assertThat(launches).doesNotContainKey("act_forward");
        assertThat(launches.get("ew_channel_bias_grad")).isEqualTo(3 * 3);
    }

    @Test
    void theGrusTimeLoopRunsOneStepKernelPerStepAndPass() throws Exception {
        int passes;
        try (TrainableNetwork net = onRecording(GeneratedCudaNetworksTest.GRU, "gru")) {
            trainEvaluatePredictSaveLoad(net, "gru");
            int predictBatch = half(net, "PREDICT_BATCH");
            passes = 3 + 1 + (300 + predictBatch - 1) / predictBatch;
            assertThat(launches.get("opt_adam")).isEqualTo(3 * half(net, "GRADIENT_SIZES"));
        }
        // 28 rows of pixels: 28 steps in every forward pass, and in each training step's backward.
        assertThat(launches.get("recurrent_step_forward")).isEqualTo(28 * passes);
        assertThat(launches.get("recurrent_step_backward")).isEqualTo(28 * 3);
        assertThat(passed.get("recurrent_step_forward")).isEqualTo(kinds("recurrent", "recurrent_step_forward"));
    }

    @Test
    void theAutoencodersMseRunsOneValueAndOneGradientKernelPerStep() throws Exception {
        int passes;
        int layers = 4;
        try (TrainableNetwork net = onRecording(GeneratedCudaNetworksTest.AUTOENCODER, "autoencoder")) {
            int maxBatch = (int) net.getClass().getField("MAX_BATCH").get(null);
            for (int n : new int[] {maxBatch, maxBatch, 20}) {
                assertThat(net.trainStep(Inputs.of("image", new float[n * 784]), n, 1e-3).finite()).isTrue();
            }
            net.evaluateStep(Inputs.of("image", new float[maxBatch * 784]), maxBatch);
            var outputs = net.predict(Inputs.of("image", new float[300 * 784]));
            assertThat(outputs.get("reconstruction")).hasLength(300 * 784);
            assertThat(outputs.get("code")).hasLength(300 * 32);
            int predictBatch = half(net, "PREDICT_BATCH");
            passes = 3 + 1 + (300 + predictBatch - 1) / predictBatch;
            assertThat(launches.get("opt_adam")).isEqualTo(3 * half(net, "GRADIENT_SIZES"));
        }
        // The loss's value in each training step and the evaluation; its gradient in each training step.
        assertThat(launches.get("mse_value")).isEqualTo(3 + 1);
        assertThat(launches.get("mse_grad")).isEqualTo(3);
        assertThat(passed.get("mse_value")).isEqualTo(kinds("losses", "mse_value"));
        assertThat(passed.get("mse_grad")).isEqualTo(kinds("losses", "mse_grad"));
        // Every dense layer's bias and activation in every forward pass.
        assertThat(launches.get("act_bias_forward")).isEqualTo(layers * passes);
    }

    @Test
    void aWeightedSumOfRegressionLossesRunsEachLossesKernels() throws Exception {
        SourceFile file = new SourceFile(work.resolve("Regression.dnn").toString(), GeneratedCudaNetworksTest.REGRESSION);
        try (TrainableNetwork net = onRecording(file, "regression")) {
            for (int n : new int[] {8, 8, 3}) {
                Inputs batch = Inputs.of("x", new float[n * 6]).and("target", new float[n * 3])
                        .and("flags", new float[n * 2]);
                assertThat(net.trainStep(batch, n, 0.1).finite()).isTrue();
            }
        }
        for (String kernel : List.of("mse_value", "mse_grad", "bce_value", "bce_grad")) {
            assertWithMessage(kernel).that(launches.get(kernel)).isEqualTo(3);
            assertWithMessage(kernel).that(passed.get(kernel)).isEqualTo(kinds("losses", kernel));
        }
    }

    /** Reverser examples: 20 source ids, their length, 21 target ids. */
    private static Inputs reversals(int n) {
        int[] lengths = new int[n];
        Arrays.fill(lengths, 20);
        return Inputs.of("src", new int[n * 20]).and("length", lengths).and("tgt", new int[n * 21]);
    }

    @Test
    void theAttentionDecodersIntViewsAndTimeLoopsFitTheirViews() throws Exception {
        int passes;
        try (TrainableNetwork net = onRecording(GeneratedCudaNetworksTest.REVERSER, "reverser")) {
            for (int n : new int[] {64, 64, 20}) {
                assertThat(net.trainStep(reversals(n), n, 1e-3).finite()).isTrue();
            }
            net.evaluateStep(reversals(64), 64);
            var outputs = net.predict(reversals(300));
            assertThat(outputs.get("logits")).hasLength(300 * 21 * 13);
            assertThat(outputs.get("weights")).hasLength(300 * 21 * 20);
            int predictBatch = half(net, "PREDICT_BATCH");
            passes = 1 + (300 + predictBatch - 1) / predictBatch;
            assertThat(launches.get("opt_adam")).isEqualTo(3 * half(net, "GRADIENT_SIZES"));
        }
        // The encoder's 20 steps and the decoder's 21 in every forward pass, and in each training step's
        // backward; evaluation and prediction, which output the attention weights, run the decoder's 21
        // again for them (attention_weights is a forward call that writes only the weights, as on the CPU).
        assertThat(launches.get("recurrent_step_forward")).isEqualTo(41 * 3 + (41 + 21) * passes);
        assertThat(launches.get("recurrent_step_backward")).isEqualTo(41 * 3);
        assertThat(launches.get("steps_shift_right")).isEqualTo(3 + passes);
        assertThat(launches).containsKey("steps_last");
        assertThat(launches).containsKey("embedding_backward");
        assertThat(passed.get("embedding_forward")).isEqualTo(kinds("embedding", "embedding_forward"));
    }

    @Test
    void theBidirectionalLstmWithLengthsAndAttentionFitsItsViews() throws Exception {
        int maxBatch;
        try (TrainableNetwork net = onRecording(GeneratedCudaNetworksTest.TOPICS, "topics")) {
            maxBatch = (int) net.getClass().getField("MAX_BATCH").get(null);
            for (int n : new int[] {maxBatch, maxBatch, 5}) {
                assertThat(net.trainStep(fortunes(n), n, 1e-3).finite()).isTrue();
            }
            net.evaluateStep(fortunes(maxBatch), maxBatch);
            assertThat(net.predict(texts(70)).get("weights")).hasLength(70 * 256);
            assertThat(launches.get("opt_adam")).isEqualTo(3 * half(net, "GRADIENT_SIZES"));
        }
        // Both directions of the first layer step through 256 bytes in every training step's backward,
        // as the summary layer does.
        assertThat(launches.get("recurrent_step_backward")).isEqualTo(3 * 3 * 256);
        assertThat(launches).containsKey("attention_scores_grad");
        assertThat(launches).containsKey("band_copy");
        assertThat(launches).containsKey("dropout_forward");
        assertThat(launches).containsKey("clip_scale");
    }

    @Test
    void plainSgdUpdatesADenseEmbeddingGradientOnTheDevice() throws Exception {
        SourceFile file = new SourceFile(work.resolve("SgdEmbedding.dnn").toString(),
                GeneratedCudaNetworksTest.SGD_EMBEDDING);
        int gradients;
        try (TrainableNetwork net = onRecording(file, "sgd")) {
            for (int n : new int[] {8, 8, 3}) {
                Inputs batch = Inputs.of("ids", new int[n * 6]).and("label", new int[n]);
                assertThat(net.trainStep(batch, n, 0.1).finite()).isTrue();
            }
            gradients = half(net, "GRADIENT_SIZES");
        }
        assertThat(launches.get("embedding_backward")).isEqualTo(3);
        // Every gradient, the table's whole, scaled by clip_norm's factor and applied, each step.
        assertThat(launches.get("clip_scale")).isEqualTo(3 * gradients);
        assertThat(launches.get("opt_sgd")).isEqualTo(3 * gradients);
    }

    /** FortunesTopics texts: 256 byte ids and their length. */
    private static Inputs texts(int n) {
        int[] lengths = new int[n];
        Arrays.fill(lengths, 200);
        return Inputs.of("text", new int[n * 256]).and("length", lengths);
    }

    /** FortunesTopics examples: texts and a topic. */
    private static Inputs fortunes(int n) {
        return texts(n).and("topic", new int[n]);
    }

    /** The argument kinds ({@code p}ointer, {@code i}nt, {@code f}loat) of a kernel of {@code kernels/}. */
    private static String kinds(String family, String kernel) throws Exception {
        String source;
        try (var in = CudaContext.class.getResourceAsStream("/org/dnnc/kernels/" + family + ".cu")) {
            source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = KERNEL.matcher(source);
        while (m.find()) {
            if (m.group(1).equals(kernel)) {
                return kindsOf(m.group(2));
            }
        }
        throw new AssertionError(kernel + " is not in " + family + ".cu");
    }

    private static String kindsOf(String parameters) {
        StringBuilder kinds = new StringBuilder();
        for (String parameter : parameters.split(",")) {
            kinds.append(parameter.contains("*") ? 'p' : parameter.strip().startsWith("int") ? 'i' : 'f');
        }
        return kinds.toString();
    }

    @Test
    void theDropoutMlpsGeneratedKernelIsLaunchedWithItsDeclaredArguments() throws Exception {
        String source;
        try (TrainableNetwork net = onRecording(GeneratedCudaClassTest.DROPOUT_MLP, "dropout")) {
            int maxBatch = (int) net.getClass().getField("MAX_BATCH").get(null);
            Inputs batch = Inputs.of("x", new float[maxBatch * 6]).and("label", new int[maxBatch]);
            net.trainStep(batch, maxBatch, 0.01);
            net.trainStep(batch, maxBatch - 1, 0.01);
            Field constant = null;
            for (Field f : Class.forName(net.getClass().getName() + "$OnCuda", false, net.getClass().getClassLoader())
                    .getDeclaredFields()) {
                if (f.getName().endsWith("_SOURCE")) {
                    constant = f;
                }
            }
            assertThat(constant).isNotNull();
            constant.setAccessible(true);
            source = (String) constant.get(null);
        }
        assertThat(launches.get("dropout_forward")).isEqualTo(2);
        Matcher m = KERNEL.matcher(source);
        assertThat(m.find()).isTrue();
        assertThat(launches.get(m.group(1))).isEqualTo(2);
        assertThat(passed.get(m.group(1))).isEqualTo(kindsOf(m.group(2)));
    }

    /** An instance field of the CUDA half of {@code net}. */
    private static Object halfField(TrainableNetwork net, String name) throws Exception {
        Field cuda = net.getClass().getDeclaredField("cuda");
        cuda.setAccessible(true);
        Object half = cuda.get(net);
        Field f = half.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(half);
    }

    /**
     * The trace of full-batch steps, from the first pinned slot's fill on: each step fills its slot,
     * uploads and delivers it, replays one graph and queues one read-back, with nothing between that
     * waits for the device or copies through the host; the slots alternate. Returns the steps'
     * slots.
     */
    private List<Integer> assertOneGraphPerStep(TrainableNetwork net) throws Exception {
        List<Integer> slots = new ArrayList<>();
        int at = trace.indexOf("fill 0");
        assertThat(at).isAtLeast(0);
        while (at < trace.size()) {
            String op = trace.get(at);
            if (op.startsWith("await read-back ")) {
                at++;
                continue;
            }
            assertThat(op).startsWith("fill ");
            String slot = op.substring("fill ".length());
            assertThat(trace.subList(at, at + 4)).containsExactly("fill " + slot, "upload " + slot, "deliver " + slot,
                    "graph").inOrder();
            int end = trace.subList(at, trace.size()).indexOf("graph end") + at;
            assertThat(end).isGreaterThan(at);
            List<String> inside = trace.subList(at + 4, end);
            for (String launch : inside) {
                // Launches only: no copy, wait or read-back inside the step.
                assertThat(launch).doesNotContain(" ");
                assertThat(launch).isNoneOf("synchronize", "download", "upload", "graph");
            }
            assertThat(inside).contains("opt_step_gate");
            assertThat(trace.get(end + 1)).isEqualTo("read back " + slot);
            slots.add(Integer.parseInt(slot));
            at = end + 2;
        }
        DevBuf gate = (DevBuf) halfField(net, "gate");
        assertThat(flags).isNotEmpty();
        for (long flag : flags) {
            assertThat(flag).isEqualTo(gate.address());
        }
        return slots;
    }

    @Test
    void theMlpsFullBatchStepIsOneGraphWithOneReadBackAndStepsOverlap() throws Exception {
        try (TrainableNetwork net = onRecording(GeneratedCudaClassTest.MLP, "pipelined-mlp")) {
            // Parameters and the gate written first, with no step in flight.
            net.evaluateStep(images(64), 64);
            trace.clear();
            PendingStep first = net.startTrainStep(images(64), 64, 1e-3);
            PendingStep second = net.startTrainStep(images(64), 64, 1e-3);
            // Two in flight: the first waits only for its own read-back when collected.
            assertThat(trace).doesNotContain("await read-back 0");
            first.finish();
            assertThat(trace.get(trace.size() - 1)).isEqualTo("await read-back 0");
            PendingStep third = net.startTrainStep(images(64), 64, 1e-3);
            second.finish();
            third.finish();
            assertThat(third.finish()).isSameInstanceAs(third.finish());
            assertThat(assertOneGraphPerStep(net)).containsExactly(0, 1, 0).inOrder();
            assertThat(trace.stream().filter(op -> op.startsWith("await read-back")).count()).isEqualTo(3);
            // Nothing computed: the read-back reads zeros, a finite step that applied, counted at collection.
            assertThat(net.steps()).isEqualTo(3);
            // Six parameters, each update launched once per step, whether it then applies or not.
            assertThat(launches.get("opt_adam")).isEqualTo(3 * 6);

            // Inference passes: pass k+1 is filled, uploaded and run before pass k's outputs are awaited.
            trace.clear();
            int predictBatch = half(net, "PREDICT_BATCH");
            int count = 2 * predictBatch + 7;
            assertThat(net.predict(Inputs.of("image", new float[count * 784])).get("probs")).hasLength(count * 10);
            List<String> expected = new ArrayList<>();
            for (int pass = 0; pass <= 3; pass++) {
                if (pass < 3) {
                    expected.addAll(List.of("fill " + pass % 2, "upload " + pass % 2, "deliver " + pass % 2,
                            "read back " + pass % 2));
                }
                if (pass > 0) {
                    expected.add("await read-back " + (pass - 1) % 2);
                }
            }
            assertThat(trace.stream().filter(op -> op.contains(" ") && !op.equals("graph end")).toList())
                    .containsExactlyElementsIn(expected).inOrder();
            assertThat(trace.stream().filter(op -> op.equals("graph")).count()).isEqualTo(2);
        }
    }

    @Test
    void theCnnsFullBatchStepIsOneGraphWithOneReadBack() throws Exception {
        try (TrainableNetwork net = onRecording(GeneratedCudaNetworksTest.CNN, "pipelined-cnn")) {
            net.evaluateStep(images(64), 64);
            trace.clear();
            for (int step = 0; step < 3; step++) {
                net.trainStep(images(64), 64, 1e-3);
            }
            assertThat(assertOneGraphPerStep(net)).containsExactly(0, 1, 0).inOrder();
            assertThat(flags).hasSize(3 * half(net, "GRADIENT_SIZES"));
        }
    }

    /** An MLP whose train section stops at a non-finite step. */
    private static final String STOP_MLP = """
            network StopMlp {
                input x: float[6];
                input label: int;
                logits = x -> dense(5) -> relu -> dense(3);
                output probs = softmax(logits);
                train {
                    loss      = cross_entropy(logits, label);
                    optimizer = adam(lr: 1e-3);
                    batch     = 8;
                    epochs    = 2;
                    nan       = stop;
                    clip_norm = 1.0;
                }
            }
            """;

    @Test
    void theTrainerPipelinesAStoppingNetworksStepsThroughAlternatingSlots() throws Exception {
        SourceFile file = new SourceFile(work.resolve("StopMlp.dnn").toString(), STOP_MLP);
        try (TrainableNetwork net = onRecording(file, "stop")) {
            Trainer.Builder trainer = (Trainer.Builder) net.getClass().getMethod("trainer").invoke(null);
            Dataset data = Dataset.of(new float[20 * 6], new int[] {6}, new int[20]);
            trainer.progress(false).shuffle(false).build().fit(net, data);
            // nan = stop reached the gate as its latching policy.
            java.nio.IntBuffer gate = (java.nio.IntBuffer) halfField(net, "hostGate");
            assertThat(gate.get(2)).isEqualTo(org.dnnc.runtime.cuda.CudaOptimizers.STOP_AT_NON_FINITE);
            assertThat(net.steps()).isEqualTo(6);
        }
        // Two epochs of batches of 8, 8 and 4: the full ones replayed, the short one direct, every step
        // through the next pinned slot, each collected once.
        List<String> slots = trace.stream().filter(op -> op.startsWith("fill ")).toList();
        assertThat(slots).containsExactly("fill 0", "fill 1", "fill 0", "fill 1", "fill 0", "fill 1").inOrder();
        assertThat(trace.stream().filter(op -> op.startsWith("await read-back")).count()).isEqualTo(6);
        assertThat(trace.stream().filter(op -> op.equals("graph")).count()).isEqualTo(4);
        assertThat(launches.get("opt_step_gate")).isEqualTo(6);
        assertThat(launches.get("clip_scale")).isEqualTo(6 * 4);
        for (int i = 0; i < trace.size(); i++) {
            if (trace.get(i).startsWith("fill ")) {
                // No wait for the device from a step's fill to its read-back.
                int end = i;
                while (!trace.get(end).startsWith("read back ")) {
                    assertThat(trace.get(end)).isNoneOf("synchronize", "download");
                    end++;
                }
            }
        }
    }
}
