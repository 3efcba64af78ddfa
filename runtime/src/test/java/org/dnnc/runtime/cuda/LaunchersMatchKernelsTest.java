package org.dnnc.runtime.cuda;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dnnc.runtime.cpu.Activation;
import org.dnnc.runtime.cpu.AttentionGeometry;
import org.dnnc.runtime.cpu.ConvGeometry;
import org.dnnc.runtime.cpu.DecoderGeometry;
import org.dnnc.runtime.cpu.PoolGeometry;
import org.dnnc.runtime.cpu.RecurrentCell;
import org.dnnc.runtime.cpu.RecurrentGeometry;
import org.dnnc.runtime.cuda.CudaRecurrentCells.Rows;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * Every launcher passes its kernel the arguments the kernel declares, in kind and number, and
 * every kernel of {@code dnnc-kernels} has a launcher: checked without a GPU by calling each
 * launcher on a recording context and comparing what it passed with the signatures parsed from the
 * {@code .cu} sources. A mismatch would otherwise only show on a GPU, as garbage.
 */
class LaunchersMatchKernelsTest {

    private static final List<String> FAMILIES = List.of("elementwise", "activation", "softmax", "batchnorm", "pool",
            "im2col", "optimizer", "dropout", "embedding", "clipping", "recurrent", "steps",
            "concat", "layernorm", "attention", "losses");
    private static final Pattern KERNEL = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(([^)]*)\\)");

    /**
     * Launches seen: kernel name to argument kinds, grid and block of its last launch; a kernel that
     * two launchers call with different argument kinds is kept as a mismatch, which fails the check.
     */
    private final Map<String, String> launched = new LinkedHashMap<>();
    private final CudaContext ctx = CudaContext.recording((kernel, gridX, gridY, block, args) ->
            launched.merge(kernel.name(), args.signature() + " grid " + gridX + "x" + gridY + " block " + block,
                    (before, now) -> kinds(before).equals(kinds(now)) ? now : "mismatch: " + before + " then " + now));
    private long next = 1 << 20;

    /** A dummy device view of {@code n} floats at a fresh 256-byte aligned address. */
    private DevBuf buf(int n) {
        DevBuf b = new DevBuf(next, n, null);
        next += DeviceArena.align((long) n * 4 + 4);
        return b;
    }

    static Map<String, String> declaredSignatures() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String family : FAMILIES) {
            Matcher m = KERNEL.matcher(KernelSource.resource(family).source());
            while (m.find()) {
                StringBuilder kinds = new StringBuilder();
                for (String param : m.group(2).split(",")) {
                    String p = param.strip();
                    kinds.append(p.contains("*") ? 'p' : p.startsWith("float") ? 'f' : p.startsWith("int")
                            || p.startsWith("unsigned") ? 'i' : '?');
                }
                out.put(m.group(1), kinds.toString());
            }
        }
        return out;
    }

    @Test
    void everyLauncherPassesWhatItsKernelDeclares() {
        launchEverything();
        Map<String, String> declared = declaredSignatures();
        assertThat(declared).isNotEmpty();
        for (Map.Entry<String, String> e : launched.entrySet()) {
            assertWithMessage("kernel %s is launched but not declared in any family", e.getKey())
                    .that(declared).containsKey(e.getKey());
            assertWithMessage("arguments of %s (p pointer, i int, f float)", e.getKey())
                    .that(kinds(e.getValue())).isEqualTo(declared.get(e.getKey()));
        }
        assertWithMessage("kernels no launcher launches").that(new TreeSet<>(declared.keySet()))
                .containsExactlyElementsIn(launched.keySet());
    }

    /** The argument kinds of a recorded launch: its first word. */
    private static String kinds(String launch) {
        return launch.substring(0, launch.indexOf(' '));
    }

    @Test
    void blockReductionsGetTheBlocksTheyAreWrittenFor() {
        launchEverything();
        // Shared arrays of 256 entries, or 8 warps of 32 lanes: exactly 256 threads.
        for (String k : List.of("bias_grad", "ew_channel_bias_grad", "softmax_forward", "ln_forward",
                "ln_backward_input", "ln_backward_params", "xent_count", "xent_rows", "xent_reduce", "bn_stats",
                "bn_backward_sums", "clip_partial", "mse_value", "bce_value")) {
            assertWithMessage(k).that(launched.get(k)).endsWith(" block 256");
        }
        // One block per channel, one sum per partial slot, one thread for the scalar kernels.
        assertThat(launched.get("bn_stats")).contains("grid 4x1");
        assertThat(launched.get("clip_partial")).contains("grid " + CudaClipping.BLOCKS + "x1");
        assertThat(launched.get("clip_finish")).endsWith("grid 1x1 block 1");
        // A loss's value is one block's fixed-order sum.
        assertThat(launched.get("mse_value")).contains("grid 1x1");
        assertThat(launched.get("bce_value")).contains("grid 1x1");
        assertThat(launched.get("dropout_advance")).endsWith("grid 1x1 block 1");
        assertThat(launched.get("opt_step_gate")).endsWith("grid 1x1 block 1");
        // One warp per row, eight rows per block: 19 rows need 3 blocks.
        assertThat(launched.get("softmax_forward")).contains("grid 3x1");
        assertThat(launched.get("ln_backward_input")).contains("grid 3x1");
        assertThat(launched.get("attention_weights")).endsWith(" block 256");
        assertThat(launched.get("attention_scores_grad")).endsWith(" block 256");
        // One block per 32 columns.
        assertThat(launched.get("ln_backward_params")).contains("grid 1x1");
    }

    private void launchEverything() {
        int n = 100;
        DevBuf a = buf(n);
        DevBuf b = buf(n);
        DevBuf c = buf(n);
        CudaElementwise.fill(ctx, a, n, 1f);
        CudaElementwise.scale(ctx, a, n, 2f);
        CudaElementwise.add(ctx, a, b, c, n);
        CudaElementwise.sub(ctx, a, b, c, n);
        CudaElementwise.mul(ctx, a, b, c, n);
        CudaElementwise.mulBackward(ctx, a, b, c, a, null, n);
        CudaElementwise.accumulate(ctx, a, b, n);
        CudaElementwise.addChannelBias(ctx, a, b, c, 2, 5, 10);
        CudaElementwise.channelBiasGrad(ctx, a, b, 2, 5, 10, true);

        CudaActivations.forward(ctx, Activation.TANH, 0f, a, b, n);
        CudaActivations.backward(ctx, Activation.TANH, 0f, a, b, c, n);
        CudaActivations.biasForward(ctx, Activation.RELU, 0f, a, b, 10, 10);
        CudaActivations.biasBackward(ctx, Activation.RELU, 0f, a, b, c, b, 10, 10, false);

        CudaSoftmax.forward(ctx, a, b, 19, 5);
        CudaSoftmax.backward(ctx, a, b, c, 19, 5);
        CudaSoftmax.logForward(ctx, a, b, 19, 5);
        CudaSoftmax.logBackward(ctx, a, b, c, 19, 5);
        CudaLosses.softmaxCrossEntropy(ctx, a, b, c, 10, 10, -1, buf(CudaLosses.scratchSize(10)), buf(3));
        CudaLosses.mse(ctx, a, b, c, null, n, buf(1), buf(1));
        CudaLosses.bceWithLogits(ctx, a, b, c, a, n, null, buf(1));

        int channels = 4;
        DevBuf scratch = buf(CudaBatchNorm.scratchSize(channels));
        DevBuf p = buf(channels);
        CudaBatchNorm.forwardTraining(ctx, a, p, p, p, p, b, p, p, c, 5, channels, 5, 0.1f, 1e-5f, true, scratch);
        CudaBatchNorm.forwardInference(ctx, a, p, p, p, p, b, 5, channels, 5, 1e-5f, false, scratch);
        CudaBatchNorm.backwardInputInference(ctx, a, p, p, b, 5, channels, 5, 1e-5f, scratch);
        CudaBatchNorm.backward(ctx, a, b, c, p, p, p, a, p, p, 5, channels, 5, 1e-5f, true, false, false, scratch);
        CudaBatchNorm.backwardInference(ctx, a, b, c, p, p, p, a, p, p, 5, channels, 5, 1e-5f, true, false, false,
                scratch);
        launched.remove("bn_stats");
        // Without saved statistics the backward recomputes them with the training forward's kernel.
        CudaBatchNorm.backward(ctx, a, b, c, p, null, null, a, p, p, 5, channels, 5, 1e-5f, false, false, false,
                scratch);
        assertThat(launched).containsKey("bn_stats");
        CudaBatchNorm.foldWeight(ctx, a, p, p, b, channels, 5, 1e-5f);
        CudaBatchNorm.foldBias(ctx, null, p, p, p, p, b, channels, 1e-5f);

        PoolGeometry pool = PoolGeometry.of(channels, 4, 4, 2, 2);
        CudaPool.maxForward(ctx, pool, a, b, 1);
        CudaPool.maxBackward(ctx, pool, a, b, c, 1, false);
        CudaPool.avgForward(ctx, pool, a, b, 1, false);
        CudaPool.avgBackward(ctx, pool, a, b, 1, false, true);
        CudaPool.globalAvgForward(ctx, a, b, 2, channels, 9);
        CudaPool.globalAvgBackward(ctx, a, b, 2, channels, 9, false);

        ConvGeometry conv = ConvGeometry.symmetric(2, 5, 5, 3, 3, 1, 1);
        CudaIm2col.im2colBatch(ctx, conv, a, buf(conv.patchSize() * 50), 2);
        CudaIm2col.col2imBatch(ctx, conv, buf(conv.patchSize() * 50), a, 2, false);

        DevBuf scalars = buf(2);
        DevBuf gate = buf(CudaOptimizers.GATE_STATE_INTS);
        DevBuf apply = CudaOptimizers.applyFlag(gate);
        CudaOptimizers.gate(ctx, buf(CudaOptimizers.READBACK_FLOATS), a, b, gate, CudaOptimizers.StepScalars.ADAM, 0.9f,
                0.999f, scalars);
        CudaOptimizers.sgd(ctx, a, b, n, scalars, apply, 0f, 0f);
        CudaOptimizers.momentum(ctx, a, b, c, n, scalars, apply, 0.9f, 0f, false, 0f, 0f);
        CudaOptimizers.adagrad(ctx, a, b, c, n, scalars, null, 1e-10f, 0f, 0f);
        CudaOptimizers.rmspropMomentum(ctx, a, b, c, a, n, scalars, apply, 0.99f, 1e-8f, 0.9f, 0f, 0f);
        CudaOptimizers.adam(ctx, a, b, c, a, n, scalars, apply, 0.9f, 0.999f, 1e-8f, 0f, 0f);

        CudaDropout.forward(ctx, a, b, c, n, 0.5f, buf(2));

        CudaEmbedding.forward(ctx, a, b, c, 10, 10, 10);
        CudaEmbedding.backward(ctx, a, b, c, 10, 10, 10);

        CudaClipping.clipNorm(ctx, new DevBuf[] {a, b}, new int[] {n, n}, 1f, buf(CudaClipping.SCRATCH_SIZE), apply);
        CudaClipping.clipValue(ctx, new DevBuf[] {a}, new int[] {n}, 1f, null);

        Rows r = new Rows(buf(1000), 50);
        CudaRecurrentCells.rnnForward(ctx, r, r, a, r, r, 4, 10, false);
        CudaRecurrentCells.rnnBackward(ctx, r, r, r, 4, 10, false);
        CudaRecurrentCells.lstmForward(ctx, r, r, a, r, r, r, r, 4, 10);
        CudaRecurrentCells.lstmBackward(ctx, r, r, r, r, r, r, 4, 10);
        CudaRecurrentCells.gruForward(ctx, r, r, a, r, r, r, r, 4, 10);
        CudaRecurrentCells.gruBackward(ctx, r, r, r, r, r, 4, 10);

        launchRecurrentLayers();
        launchAttentions();
        launchDecoders();

        CudaSteps.shiftRight(ctx, a, b, 4, 10, 1);
        CudaSteps.last(ctx, a, b, c, 4, 5, 5);
        CudaSteps.lastBackward(ctx, a, null, c, 4, 5, 5);

        CudaConcat.place(ctx, a, 3, b, 5, 2, 4);
        CudaConcat.extract(ctx, b, 5, 2, a, 3, 4);

        CudaLayerNorm.forward(ctx, a, b, c, a, null, null, 19, 5, 1e-5f);
        CudaLayerNorm.backward(ctx, a, b, c, null, null, a, b, c, 19, 5, 1e-5f, false, true);
    }

    /** Attention with one query and with several, on views of exactly the sizes the CPU twin asks for. */
    private void launchAttentions() {
        int batch = 3;
        for (int queries : new int[] {1, 4}) {
            AttentionGeometry g = new AttentionGeometry(queries, 6, 5, 7, 8);
            DevBuf query = buf(batch * queries * 5);
            DevBuf values = buf(batch * 6 * 7);
            DevBuf w = buf(8 * g.weightColumns());
            DevBuf v = buf(8);
            DevBuf context = buf(batch * queries * 7);
            DevBuf workspace = buf((int) CudaAttention.workspaceFloats(g, batch));
            DevBuf lengths = queries == 1 ? buf(batch) : null;
            CudaAttention.forward(ctx, g, query, values, lengths, w, v, context, buf(batch * queries * 6), workspace,
                    batch);
            CudaAttention.backward(ctx, g, query, values, lengths, w, v, context, workspace, query, values, w, v, batch,
                    queries == 1);
        }
    }

    /** The attention decoder, with and without lengths, on views of exactly the sizes the CPU twin asks for. */
    private void launchDecoders() {
        int batch = 3;
        DecoderGeometry g = new DecoderGeometry(5, 4, 6, 7, 8, 9);
        for (boolean withLengths : new boolean[] {false, true}) {
            DevBuf x = buf(batch * 5 * 4);
            DevBuf values = buf(batch * 7 * 8);
            DevBuf lengths = withLengths ? buf(batch) : null;
            DevBuf state = buf(batch * 6);
            DevBuf wIh = buf(18 * (4 + 8));
            DevBuf wHh = buf(18 * 6);
            DevBuf bias = buf(18);
            DevBuf w = buf(9 * (6 + 8));
            DevBuf v = buf(9);
            DevBuf y = buf(batch * 5 * g.outputSize());
            DevBuf workspace = buf((int) CudaAttentionDecoder.workspaceFloats(g, batch));
            CudaAttentionDecoder.forward(ctx, g, x, values, lengths, state, wIh, wHh, bias, bias, w, v, y,
                    buf(batch * 5 * 7), workspace, batch);
            CudaAttentionDecoder.backward(ctx, g, x, values, lengths, wIh, wHh, w, v, y, workspace, x, values, wIh, wHh,
                    bias, bias, w, v, state, batch, withLengths);
        }
    }

    /**
     * Every cell's layer, both directions, with and without lengths and sequences, forward and
     * backward on views of exactly the sizes the CPU twin asks for: {@link Gemm} checks each
     * operand against its view before it would call cuBLAS, so an offset past the workspace fails.
     */
    private void launchRecurrentLayers() {
        int batch = 3;
        int steps = 4;
        int in = 5;
        int hidden = 6;
        for (RecurrentCell cell : RecurrentCell.values()) {
            for (boolean reverse : new boolean[] {false, true}) {
                for (boolean sequences : new boolean[] {false, true}) {
                    RecurrentGeometry g = new RecurrentGeometry(cell, steps, in, hidden, reverse, sequences);
                    int gh = g.gateRows();
                    int outputs = batch * (sequences ? steps : 1) * hidden;
                    DevBuf x = buf(batch * steps * in);
                    DevBuf lengths = reverse ? buf(batch) : null;
                    DevBuf wIh = buf(gh * in);
                    DevBuf wHh = buf(gh * hidden);
                    DevBuf bias = buf(gh);
                    DevBuf state = buf(batch * hidden);
                    DevBuf y = buf(outputs);
                    DevBuf workspace = buf((int) CudaRecurrent.workspaceFloats(g, batch));
                    CudaRecurrent.forward(ctx, g, x, lengths, state, state, wIh, wHh, bias, bias, y, workspace, batch);
                    CudaRecurrent.lastState(ctx, g, workspace, batch, state, state);
                    CudaRecurrent.backward(ctx, g, x, lengths, wIh, wHh, y, state, workspace, x, wIh, wHh, bias, bias,
                            state, state, batch, sequences);
                }
            }
        }
        RecurrentGeometry g = new RecurrentGeometry(RecurrentCell.GRU, steps, in, hidden, false, true);
        DevBuf small = buf((int) CudaRecurrent.workspaceFloats(g, batch) - 1);
        IllegalArgumentException e = Assertions.assertThrows(IllegalArgumentException.class,
                () -> CudaRecurrent.forward(ctx, g, buf(60), null, null, null, buf(90), buf(108), buf(18), buf(18),
                        buf(72), small, batch));
        assertThat(e).hasMessageThat().contains("a batch of 3 needs");
    }
}
