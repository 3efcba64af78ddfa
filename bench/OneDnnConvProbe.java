import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;
import java.util.Locale;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * How fast oneDNN (the engine of PyTorch's CPU convolutions) runs the convolution shapes of the
 * benchmark networks, for comparison with {@code ConvAlgorithmBench} (dnnc's own algorithms) on the
 * same machine: milliseconds per call at batch 64 of the forward pass, the input gradient and the
 * kernel gradient, medians of 15 calls after 5, each pass in the layouts oneDNN picks (blocked
 * channels), and the forward pass once more with reorders from and to dnnc's NCHW layout around
 * it. Not part of the build: it needs the JavaCPP oneDNN preset, which dnnc does not depend on.
 *
 * <pre>
 * ./mvnw -q dependency:get -Dartifact=org.bytedeco:dnnl:3.11-1.5.13:jar:linux-x86_64
 * ./mvnw -q dependency:get -Dartifact=org.bytedeco:opencl:3.0-1.5.13:jar:linux-x86_64
 * R=~/.m2/repository/org/bytedeco
 * CP=$R/dnnl/3.11-1.5.13/dnnl-3.11-1.5.13.jar:$R/dnnl/3.11-1.5.13/dnnl-3.11-1.5.13-linux-x86_64.jar
 * CP=$CP:$R/opencl/3.0-1.5.13/opencl-3.0-1.5.13.jar:$R/opencl/3.0-1.5.13/opencl-3.0-1.5.13-linux-x86_64.jar
 * CP=$CP:$R/javacpp/1.5.13/javacpp-1.5.13.jar
 * OMP_NUM_THREADS=2 java -cp $CP bench/OneDnnConvProbe.java
 * </pre>
 */
public final class OneDnnConvProbe {

    private static final int BATCH = 64;

    /** name, channels, height (= width), filters, kernel, stride, padding. */
    private static final Object[][] SHAPES = {
        {"vgg 16->16 28x28", 16, 28, 16, 3, 1, 1},
        {"vgg 32->32 14x14", 32, 14, 32, 3, 1, 1},
        {"vgg 64->64 7x7", 64, 7, 64, 3, 1, 1},
        {"strided 32->64 1x1 14x14", 32, 14, 64, 1, 1, 0},
        {"strided 64->64 s2", 64, 14, 64, 3, 2, 1},
        {"strided 128->128 s2", 128, 7, 128, 3, 2, 1},
    };

    private OneDnnConvProbe() {}

    public static void main(String[] args) {
        dnnl_engine engine = new dnnl_engine();
        check(dnnl_engine_create(engine, dnnl_cpu, 0), "engine");
        dnnl_stream stream = new dnnl_stream();
        check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), "stream");
        for (Object[] s : SHAPES) {
            measure(engine, stream, (String) s[0], (int) s[1], (int) s[2], (int) s[3], (int) s[4], (int) s[5],
                    (int) s[6]);
        }
    }

    private static void measure(dnnl_engine engine, dnnl_stream stream, String name, long c, long h, long o, long k,
            long stride, long pad) {
        long oh = (h + 2 * pad - k) / stride + 1;
        long[] strides = {stride, stride};
        long[] dilations = {0, 0};
        long[] padding = {pad, pad};
        dnnl_memory_desc src = desc(new long[] {BATCH, c, h, h}, dnnl_format_tag_any);
        dnnl_memory_desc weights = desc(new long[] {o, c, k, k}, dnnl_format_tag_any);
        dnnl_memory_desc dst = desc(new long[] {BATCH, o, oh, oh}, dnnl_format_tag_any);
        dnnl_primitive_desc forward = new dnnl_primitive_desc();
        check(dnnl_convolution_forward_primitive_desc_create(forward, engine, dnnl_forward_training,
                dnnl_convolution_direct, src, weights, null, dst, strides, dilations, padding, padding, null), name);
        dnnl_primitive_desc data = new dnnl_primitive_desc();
        check(dnnl_convolution_backward_data_primitive_desc_create(data, engine, dnnl_convolution_direct, src, weights,
                dst, strides, dilations, padding, padding, forward, null), name);
        dnnl_primitive_desc kernel = new dnnl_primitive_desc();
        check(dnnl_convolution_backward_weights_primitive_desc_create(kernel, engine, dnnl_convolution_direct, src,
                weights, null, dst, strides, dilations, padding, padding, forward, null), name);

        Pass f = new Pass(forward, engine, DNNL_ARG_SRC, dnnl_query_src_md, DNNL_ARG_WEIGHTS, dnnl_query_weights_md,
                DNNL_ARG_DST, dnnl_query_dst_md);
        Pass d = new Pass(data, engine, DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, DNNL_ARG_WEIGHTS,
                dnnl_query_weights_md, DNNL_ARG_DIFF_SRC, dnnl_query_diff_src_md);
        Pass w = new Pass(kernel, engine, DNNL_ARG_SRC, dnnl_query_src_md, DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md,
                DNNL_ARG_DIFF_WEIGHTS, dnnl_query_diff_weights_md);

        // The forward pass as a call on NCHW views would run it: inputs reordered in, the output out.
        dnnl_memory plainSrc = memory(desc(new long[] {BATCH, c, h, h}, dnnl_nchw), engine);
        dnnl_memory plainWeights = memory(desc(new long[] {o, c, k, k}, dnnl_oihw), engine);
        dnnl_memory plainDst = memory(desc(new long[] {BATCH, o, oh, oh}, dnnl_nchw), engine);
        Reorder in = new Reorder(plainSrc, f.memories[0], engine);
        Reorder in2 = new Reorder(plainWeights, f.memories[1], engine);
        Reorder out = new Reorder(f.memories[2], plainDst, engine);

        double[][] ms = new double[4][15];
        for (int r = -5; r < ms[0].length; r++) {
            long t0 = System.nanoTime();
            f.run(stream);
            long t1 = System.nanoTime();
            d.run(stream);
            long t2 = System.nanoTime();
            w.run(stream);
            long t3 = System.nanoTime();
            in.run(stream);
            in2.run(stream);
            f.run(stream);
            out.run(stream);
            long t4 = System.nanoTime();
            if (r >= 0) {
                ms[0][r] = (t1 - t0) / 1e6;
                ms[1][r] = (t2 - t1) / 1e6;
                ms[2][r] = (t3 - t2) / 1e6;
                ms[3][r] = (t4 - t3) / 1e6;
            }
        }
        System.out.printf(Locale.ROOT, "%-26s | oneDNN %.2f %.2f %.2f | forward from NCHW %.2f | %s, %s, %s%n", name,
                median(ms[0]), median(ms[1]), median(ms[2]), median(ms[3]), implementation(forward),
                implementation(data), implementation(kernel));
    }

    /** One primitive with its three memories, in the formats it chose, allocated by the library. */
    private static final class Pass {
        final dnnl_primitive primitive = new dnnl_primitive();
        final dnnl_memory[] memories = new dnnl_memory[3];
        final dnnl_exec_arg_t args = new dnnl_exec_arg_t(3);

        Pass(dnnl_primitive_desc pd, dnnl_engine engine, int... argsAndQueries) {
            check(dnnl_primitive_create(primitive, pd), "primitive");
            for (int i = 0; i < 3; i++) {
                memories[i] = memory(dnnl_primitive_desc_query_md(pd, argsAndQueries[2 * i + 1], 0), engine);
                args.position(i).arg(argsAndQueries[2 * i]).memory(memories[i]);
            }
            args.position(0);
        }

        void run(dnnl_stream stream) {
            check(dnnl_primitive_execute(primitive, stream, 3, args), "execute");
            check(dnnl_stream_wait(stream), "wait");
        }
    }

    private static final class Reorder {
        final dnnl_primitive primitive = new dnnl_primitive();
        final dnnl_exec_arg_t args = new dnnl_exec_arg_t(2);

        Reorder(dnnl_memory from, dnnl_memory to, dnnl_engine engine) {
            dnnl_memory_desc fromDesc = new dnnl_memory_desc();
            dnnl_memory_desc toDesc = new dnnl_memory_desc();
            check(dnnl_memory_get_memory_desc(from, fromDesc), "memory desc");
            check(dnnl_memory_get_memory_desc(to, toDesc), "memory desc");
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_reorder_primitive_desc_create(pd, fromDesc, engine, toDesc, engine, null), "reorder");
            check(dnnl_primitive_create(primitive, pd), "reorder");
            args.position(0).arg(DNNL_ARG_FROM).memory(from);
            args.position(1).arg(DNNL_ARG_TO).memory(to);
            args.position(0);
        }

        void run(dnnl_stream stream) {
            check(dnnl_primitive_execute(primitive, stream, 2, args), "reorder");
        }
    }

    private static dnnl_memory_desc desc(long[] dims, int tag) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        check(dnnl_memory_desc_create_with_tag(md, dims.length, dims, dnnl_f32, tag), "memory desc");
        return md;
    }

    /** Memory the library allocates ({@code DNNL_MEMORY_ALLOCATE}, the handle -1). */
    private static dnnl_memory memory(dnnl_memory_desc md, dnnl_engine engine) {
        dnnl_memory m = new dnnl_memory();
        Pointer allocate = new Pointer() {
            {
                address = -1;
            }
        };
        check(dnnl_memory_create(m, md, engine, allocate), "memory");
        return m;
    }

    private static String implementation(dnnl_primitive_desc pd) {
        PointerPointer<BytePointer> info = new PointerPointer<>(1);
        check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, info), "implementation");
        return info.getString(0);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void check(int status, String what) {
        if (status != dnnl_success) {
            throw new IllegalStateException(what + ": oneDNN status " + status);
        }
    }
}
