import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * What the convolution, batch-norm and ReLU layers of {@code bench/networks/Strided.dnn} cost per
 * training step when all of them run in oneDNN and keep its blocked layouts from layer to layer:
 * the six convolutions forward, input gradient (not for the first) and kernel gradient, each batch
 * norm forward in training mode with the ReLU fused into it and backward with the gradients of
 * its scale and shift. The pooling, the dense layer, the loss and Adam are left out (dnnc's own
 * kernels would run them). This bounds what a oneDNN backend with a layout pass would give the
 * network; {@code OneDnnConvProbe} times the convolutions one by one.
 *
 * <p>Two ways to thread it: {@code one} runs the step for the whole batch on one Java thread, with
 * as many OpenMP threads as {@code OMP_NUM_THREADS} says; {@code split} runs half the batch on each
 * of two Java threads (run it with {@code OMP_NUM_THREADS=1}), as dnnc splits its own kernels; its
 * batch norms then normalise each half by its own statistics, so it times the kernels, not the
 * network's exact arithmetic. Both print milliseconds per step (median of 40 after 10), the
 * implementations oneDNN picked and how many reorders between layers it needed. {@code mixed}
 * runs {@code one} with a two-thread kernel of dnnc's after each primitive (see {@link #mixed}).
 * Not part of the build; the classpath is {@code OneDnnConvProbe}'s, with dnnc's runtime for
 * {@code mixed}:
 *
 * <pre>
 * OMP_NUM_THREADS=2 java -cp $CP bench/OneDnnStridedStep.java one
 * OMP_NUM_THREADS=1 java -cp $CP bench/OneDnnStridedStep.java split
 * ./mvnw -q -o dependency:build-classpath -pl runtime -Dmdep.outputFile=/tmp/rt.txt
 * java -cp $CP:runtime/target/classes:$(cat /tmp/rt.txt) bench/OneDnnStridedStep.java mixed
 * </pre>
 */
public final class OneDnnStridedStep {

    /** One layer's convolution: channels, height (= width), filters, kernel, stride, padding. */
    private record Layer(long c, long h, long o, long k, long stride, long pad) {
        long outSize() {
            return (h + 2 * pad - k) / stride + 1;
        }

        long[] strides() {
            return new long[] {stride, stride};
        }

        long[] padding() {
            return new long[] {pad, pad};
        }
    }

    private static final Layer[] LAYERS = {
        new Layer(1, 28, 32, 3, 2, 1),
        new Layer(32, 14, 64, 1, 1, 0),
        new Layer(64, 14, 64, 3, 2, 1),
        new Layer(64, 7, 128, 1, 1, 0),
        new Layer(128, 7, 128, 3, 2, 1),
        new Layer(128, 4, 256, 1, 1, 0),
    };

    private static final long[] NO_DILATION = {0, 0};

    /** Batch norm with its scale and shift, and the ReLU fused into it. */
    private static final int NORM_FLAGS = dnnl_use_scale | dnnl_use_shift | dnnl_fuse_norm_relu;

    private static final int STEPS = 40;
    private static final int WARM = 10;

    private OneDnnStridedStep() {}

    public static void main(String[] args) throws InterruptedException {
        String mode = args.length > 0 ? args[0] : "one";
        if (mode.equals("one")) {
            Step step = new Step(64);
            double[] ms = new double[STEPS];
            for (int r = -WARM; r < STEPS; r++) {
                long t0 = System.nanoTime();
                step.run();
                if (r >= 0) {
                    ms[r] = (System.nanoTime() - t0) / 1e6;
                }
            }
            report("one thread, batch 64", ms, step);
        } else if (mode.equals("mixed")) {
            mixed();
        } else {
            Step[] halves = {new Step(32), new Step(32)};
            double[] ms = new double[STEPS];
            for (int r = -WARM; r < STEPS; r++) {
                long t0 = System.nanoTime();
                Thread helper = new Thread(halves[1]::run);
                helper.start();
                halves[0].run();
                helper.join();
                if (r >= 0) {
                    ms[r] = (System.nanoTime() - t0) / 1e6;
                }
            }
            report("two threads, batch 32 each", ms, halves[0]);
        }
    }

    /**
     * The step on one Java thread with oneDNN's OpenMP threads, with dnnc's own two-thread kernel
     * ({@code Elementwise.add} over a layer's 401,408 floats, on a {@code CpuContext} of two
     * threads) after each of its calls, against the two timed apart: whether OpenMP's waiting
     * threads and dnnc's helper slow each other down.
     */
    private static void mixed() {
        Step step = new Step(64);
        int floats = 64 * 64 * 14 * 14 / 2;
        org.dnnc.runtime.cpu.Buf a = org.dnnc.runtime.cpu.Buf.allocate(floats);
        org.dnnc.runtime.cpu.Buf b = org.dnnc.runtime.cpu.Buf.allocate(floats);
        org.dnnc.runtime.cpu.Buf y = org.dnnc.runtime.cpu.Buf.allocate(floats);
        try (org.dnnc.runtime.cpu.CpuContext context = org.dnnc.runtime.cpu.CpuContext.create(2);
                org.dnnc.runtime.cpu.CpuContext.Scope scope = context.enter()) {
            double[][] ms = new double[3][STEPS];
            for (int r = -WARM; r < STEPS; r++) {
                long t0 = System.nanoTime();
                step.run();
                long t1 = System.nanoTime();
                for (int i = 0; i < step.calls.size(); i++) {
                    org.dnnc.runtime.cpu.Elementwise.add(a, b, y, floats);
                }
                long t2 = System.nanoTime();
                step.runWith(() -> org.dnnc.runtime.cpu.Elementwise.add(a, b, y, floats));
                long t3 = System.nanoTime();
                if (r >= 0) {
                    ms[0][r] = (t1 - t0) / 1e6;
                    ms[1][r] = (t2 - t1) / 1e6;
                    ms[2][r] = (t3 - t2) / 1e6;
                }
            }
            System.out.printf(Locale.ROOT,
                    "oneDNN step %.2f ms, dnnc's %d adds %.2f ms, interleaved %.2f ms (medians)%n", median(ms[0]),
                    step.calls.size(), median(ms[1]), median(ms[2]));
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void report(String what, double[] ms, Step step) {
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%s: %.2f ms per step (min %.2f, max %.2f), %d reorders between layers%n",
                what, sorted[sorted.length / 2], sorted[0], sorted[sorted.length - 1], step.reorders);
        for (String line : step.implementations) {
            System.out.println("  " + line);
        }
    }

    /** The forward and backward primitives of the six layers for one batch size, in execution order. */
    private static final class Step {
        final dnnl_engine engine = new dnnl_engine();
        final dnnl_stream stream = new dnnl_stream();
        final List<Call> calls = new ArrayList<>();
        final List<String> implementations = new ArrayList<>();
        int reorders;

        Step(long batch) {
            check(dnnl_engine_create(engine, dnnl_cpu, 0), "engine");
            check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), "stream");
            int n = LAYERS.length;
            dnnl_primitive_desc[] convForward = new dnnl_primitive_desc[n];
            dnnl_primitive_desc[] normForward = new dnnl_primitive_desc[n];
            dnnl_memory[] convSrc = new dnnl_memory[n];
            dnnl_memory[] convDst = new dnnl_memory[n];
            dnnl_memory[] weights = new dnnl_memory[n];
            dnnl_memory[] normDst = new dnnl_memory[n];
            dnnl_memory[][] stats = new dnnl_memory[n][];

            // The image, NCHW as dnnc holds it.
            dnnl_memory input = filled(desc(new long[] {batch, 1, 28, 28}, dnnl_nchw));
            dnnl_memory previous = input;
            for (int i = 0; i < n; i++) {
                Layer l = LAYERS[i];
                long o = l.o();
                dnnl_memory_desc src = md(previous);
                dnnl_memory_desc anyWeights = desc(new long[] {o, l.c(), l.k(), l.k()}, dnnl_format_tag_any);
                dnnl_memory_desc anyDst = desc(new long[] {batch, o, l.outSize(), l.outSize()}, dnnl_format_tag_any);
                dnnl_primitive_desc fwd = new dnnl_primitive_desc();
                check(dnnl_convolution_forward_primitive_desc_create(fwd, engine, dnnl_forward_training,
                        dnnl_convolution_direct, src, anyWeights, null, anyDst, l.strides(), NO_DILATION, l.padding(),
                        l.padding(), null), "conv forward " + i);
                convForward[i] = fwd;
                convSrc[i] = adapt(previous, query(fwd, dnnl_query_src_md), calls);
                weights[i] = filled(query(fwd, dnnl_query_weights_md));
                convDst[i] = allocate(query(fwd, dnnl_query_dst_md));
                calls.add(new Call(fwd, DNNL_ARG_SRC, convSrc[i], DNNL_ARG_WEIGHTS, weights[i], DNNL_ARG_DST,
                        convDst[i]));
                implementations.add("conv " + (i + 1) + " forward: " + implementation(fwd));

                dnnl_memory_desc dstMd = query(fwd, dnnl_query_dst_md);
                dnnl_primitive_desc norm = new dnnl_primitive_desc();
                check(dnnl_batch_normalization_forward_primitive_desc_create(norm, engine, dnnl_forward_training,
                        dstMd, dstMd, 1e-5f, NORM_FLAGS, null), "batch norm forward " + i);
                normForward[i] = norm;
                normDst[i] = allocate(query(norm, dnnl_query_dst_md));
                dnnl_memory scale = filled(desc(new long[] {o}, dnnl_a));
                dnnl_memory shift = filled(desc(new long[] {o}, dnnl_a));
                dnnl_memory mean = allocate(desc(new long[] {o}, dnnl_a));
                dnnl_memory variance = allocate(desc(new long[] {o}, dnnl_a));
                dnnl_memory workspace = allocate(query(norm, dnnl_query_workspace_md));
                stats[i] = new dnnl_memory[] {scale, shift, mean, variance, workspace};
                calls.add(new Call(norm, DNNL_ARG_SRC, convDst[i], DNNL_ARG_DST, normDst[i], DNNL_ARG_SCALE, scale,
                        DNNL_ARG_SHIFT, shift, DNNL_ARG_MEAN, mean, DNNL_ARG_VARIANCE, variance, DNNL_ARG_WORKSPACE,
                        workspace));
                implementations.add("batch norm " + (i + 1) + " forward: " + implementation(norm));
                previous = normDst[i];
            }

            // The gradient that global average pooling hands back, in the last layer's layout.
            dnnl_memory diff = filled(md(normDst[n - 1]));
            for (int i = n - 1; i >= 0; i--) {
                Layer l = LAYERS[i];
                long o = l.o();
                dnnl_memory_desc dstMd = md(convDst[i]);
                dnnl_primitive_desc normBack = new dnnl_primitive_desc();
                check(dnnl_batch_normalization_backward_primitive_desc_create(normBack, engine, dnnl_backward, dstMd,
                        md(diff), dstMd, 1e-5f, NORM_FLAGS, normForward[i], null), "batch norm backward " + i);
                dnnl_memory diffDst = allocate(query(normBack, dnnl_query_diff_src_md));
                dnnl_memory diffScale = allocate(desc(new long[] {o}, dnnl_a));
                dnnl_memory diffShift = allocate(desc(new long[] {o}, dnnl_a));
                dnnl_memory[] s = stats[i];
                calls.add(new Call(normBack, DNNL_ARG_SRC, convDst[i], DNNL_ARG_DIFF_DST, diff, DNNL_ARG_MEAN, s[2],
                        DNNL_ARG_VARIANCE, s[3], DNNL_ARG_SCALE, s[0], DNNL_ARG_WORKSPACE, s[4], DNNL_ARG_DIFF_SRC,
                        diffDst, DNNL_ARG_DIFF_SCALE, diffScale, DNNL_ARG_DIFF_SHIFT, diffShift));
                implementations.add("batch norm " + (i + 1) + " backward: " + implementation(normBack));

                dnnl_memory_desc srcMd = md(convSrc[i]);
                dnnl_memory_desc anyWeights = desc(new long[] {o, l.c(), l.k(), l.k()}, dnnl_format_tag_any);
                dnnl_primitive_desc kernel = new dnnl_primitive_desc();
                check(dnnl_convolution_backward_weights_primitive_desc_create(kernel, engine, dnnl_convolution_direct,
                        srcMd, anyWeights, null, md(diffDst), l.strides(), NO_DILATION, l.padding(), l.padding(),
                        convForward[i], null), "conv kernel gradient " + i);
                dnnl_memory kernelDiffDst = adapt(diffDst, query(kernel, dnnl_query_diff_dst_md), calls);
                dnnl_memory diffWeights = allocate(query(kernel, dnnl_query_diff_weights_md));
                calls.add(new Call(kernel, DNNL_ARG_SRC, convSrc[i], DNNL_ARG_DIFF_DST, kernelDiffDst,
                        DNNL_ARG_DIFF_WEIGHTS, diffWeights));
                implementations.add("conv " + (i + 1) + " kernel gradient: " + implementation(kernel));
                if (i == 0) {
                    break;
                }
                dnnl_primitive_desc data = new dnnl_primitive_desc();
                check(dnnl_convolution_backward_data_primitive_desc_create(data, engine, dnnl_convolution_direct,
                        srcMd, anyWeights, md(diffDst), l.strides(), NO_DILATION, l.padding(), l.padding(),
                        convForward[i], null), "conv input gradient " + i);
                // The kernel in the layout this pass reads, reordered once a step (after the update).
                dnnl_memory dataWeights = adapt(weights[i], query(data, dnnl_query_weights_md), calls);
                dnnl_memory dataDiffDst = adapt(diffDst, query(data, dnnl_query_diff_dst_md), calls);
                dnnl_memory diffSrc = allocate(query(data, dnnl_query_diff_src_md));
                calls.add(new Call(data, DNNL_ARG_DIFF_DST, dataDiffDst, DNNL_ARG_WEIGHTS, dataWeights,
                        DNNL_ARG_DIFF_SRC, diffSrc));
                implementations.add("conv " + (i + 1) + " input gradient: " + implementation(data));
                diff = diffSrc;
            }
        }

        void run() {
            for (Call call : calls) {
                check(dnnl_primitive_execute(call.primitive, stream, call.count, call.args), "execute");
            }
            check(dnnl_stream_wait(stream), "wait");
        }

        /** {@link #run} with {@code between} after each primitive, once the stream has finished it. */
        void runWith(Runnable between) {
            for (Call call : calls) {
                check(dnnl_primitive_execute(call.primitive, stream, call.count, call.args), "execute");
                check(dnnl_stream_wait(stream), "wait");
                between.run();
            }
        }

        /** {@code from} if it is already in {@code wanted}'s layout, else a copy in it and a reorder to fill it. */
        private dnnl_memory adapt(dnnl_memory from, dnnl_memory_desc wanted, List<Call> into) {
            if (dnnl_memory_desc_equal(md(from), wanted) != 0) {
                return from;
            }
            dnnl_memory to = allocate(wanted);
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_reorder_primitive_desc_create(pd, md(from), engine, wanted, engine, null), "reorder");
            into.add(new Call(pd, DNNL_ARG_FROM, from, DNNL_ARG_TO, to));
            reorders++;
            return to;
        }

        private dnnl_memory allocate(dnnl_memory_desc md) {
            dnnl_memory m = new dnnl_memory();
            Pointer allocate = new Pointer() {
                {
                    address = -1;
                }
            };
            check(dnnl_memory_create(m, md, engine, allocate), "memory");
            return m;
        }

        private dnnl_memory filled(dnnl_memory_desc md) {
            dnnl_memory m = allocate(md);
            Pointer handle = new Pointer();
            check(dnnl_memory_get_data_handle(m, handle), "handle");
            long floats = dnnl_memory_desc_get_size(md) / 4;
            FloatPointer data = new FloatPointer(handle).capacity(floats);
            for (long i = 0; i < floats; i++) {
                data.put(i, (float) Math.sin(i * 0.37) * 0.1f);
            }
            return m;
        }
    }

    /** One primitive and its arguments. */
    private static final class Call {
        final dnnl_primitive primitive = new dnnl_primitive();
        final dnnl_exec_arg_t args;
        final int count;

        Call(dnnl_primitive_desc pd, Object... argsAndMemories) {
            check(dnnl_primitive_create(primitive, pd), "primitive");
            count = argsAndMemories.length / 2;
            args = new dnnl_exec_arg_t(count);
            for (int i = 0; i < count; i++) {
                args.position(i).arg((Integer) argsAndMemories[2 * i]).memory((dnnl_memory) argsAndMemories[2 * i + 1]);
            }
            args.position(0);
        }
    }

    private static dnnl_memory_desc md(dnnl_memory m) {
        dnnl_memory_desc d = new dnnl_memory_desc();
        check(dnnl_memory_get_memory_desc(m, d), "memory desc");
        return d;
    }

    private static dnnl_memory_desc query(dnnl_primitive_desc pd, int what) {
        return dnnl_primitive_desc_query_md(pd, what, 0);
    }

    private static dnnl_memory_desc desc(long[] dims, int tag) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        check(dnnl_memory_desc_create_with_tag(md, dims.length, dims, dnnl_f32, tag), "memory desc");
        return md;
    }

    private static String implementation(dnnl_primitive_desc pd) {
        PointerPointer<BytePointer> info = new PointerPointer<>(1);
        check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, info), "implementation");
        return info.getString(0);
    }

    private static void check(int status, String what) {
        if (status != dnnl_success) {
            throw new IllegalStateException(what + ": oneDNN status " + status);
        }
    }
}
