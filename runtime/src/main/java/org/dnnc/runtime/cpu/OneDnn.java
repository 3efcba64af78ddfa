package org.dnnc.runtime.cpu;

import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_elu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_logistic;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_relu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_tanh;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_create_with_tag;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_eltwise;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_sum;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_post_ops;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_success;

import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;

/**
 * oneDNN (the JavaCPP preset of Intel's deep-learning primitives, which PyTorch's CPU convolutions
 * run on), loaded on first use, the rule for when the kernels may call it, and an engine with its
 * stream: one per {@link CpuContext} that calls it, closed with the context.
 *
 * <p>The preset is built on OpenMP and binds no call that sets its thread count: each call runs on
 * a team of {@code OMP_NUM_THREADS} threads, or one per available processor, whatever the context
 * says. So oneDNN runs a call only inside a context of exactly that many threads ({@link #usable}),
 * and the kernels run their own algorithms otherwise; the {@code threads} setting stays true either
 * way. The system property {@code dnnc.onednn=false} turns oneDNN off.
 */
final class OneDnn implements AutoCloseable {

    /** Why the library did not load, or {@code null}. */
    private static final Throwable FAILURE = load();

    private static final int TEAM = team(System.getenv("OMP_NUM_THREADS"), Runtime.getRuntime().availableProcessors());

    final dnnl_engine engine = new dnnl_engine();
    final dnnl_stream stream = new dnnl_stream();

    OneDnn() {
        check(dnnl_engine_create(engine, dnnl_cpu, 0), "an engine");
        check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), "a stream");
    }

    private static Throwable load() {
        if ("false".equals(System.getProperty("dnnc.onednn"))) {
            return new IllegalStateException("turned off by -Ddnnc.onednn=false");
        }
        try {
            Loader.load(dnnl.class);
            return null;
        } catch (Throwable t) {
            // Natives missing for this platform, or left out of a trimmed class path.
            return t;
        }
    }

    /**
     * The size of the OpenMP team each oneDNN call runs on: the first number of {@code
     * OMP_NUM_THREADS} (a list gives the outermost level's first), else {@code processors}.
     */
    static int team(String ompNumThreads, int processors) {
        if (ompNumThreads != null) {
            String first = ompNumThreads.split(",", -1)[0].trim();
            try {
                int n = Integer.parseInt(first);
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // OpenMP ignores a value it cannot read, and so do we.
            }
        }
        return processors;
    }

    /** Whether the kernels may call oneDNN in {@code context}: it loaded, and the context has OpenMP's team's size. */
    static boolean usable(CpuContext context) {
        return FAILURE == null && context.threads() == TEAM;
    }

    /** Why oneDNN is not available, or {@code null} when it is. */
    static Throwable failure() {
        return FAILURE;
    }

    /** A plain f32 memory descriptor of {@code dims} in the layout {@code tag}; the caller destroys it. */
    static dnnl_memory_desc desc(long[] dims, int tag) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        check(dnnl_memory_desc_create_with_tag(md, dims.length, dims, dnnl_f32, tag), "a memory descriptor");
        return md;
    }

    /** A memory object over caller memory, aimed at its data before each call ({@link Address}). */
    dnnl_memory wrapping(dnnl_memory_desc md) {
        dnnl_memory m = new dnnl_memory();
        check(dnnl_memory_create(m, md, engine, new Pointer()), "a memory object");
        return m;
    }

    /** A memory object whose memory the library allocates, and frees with it. */
    dnnl_memory owned(dnnl_memory_desc md) {
        dnnl_memory m = new dnnl_memory();
        Pointer allocate = new Pointer() {
            {
                address = -1; // DNNL_MEMORY_ALLOCATE
            }
        };
        check(dnnl_memory_create(m, md, engine, allocate), "a memory object");
        return m;
    }

    /**
     * A primitive's post-ops: adding to what {@code dst} holds when {@code accumulate}, then the
     * activation; {@code null} when there are none. The caller destroys the attributes.
     */
    static dnnl_primitive_attr attributes(Activation act, float param, boolean accumulate) {
        if (act == Activation.IDENTITY && !accumulate) {
            return null;
        }
        dnnl_post_ops ops = new dnnl_post_ops();
        check(dnnl_post_ops_create(ops), "post-ops");
        if (accumulate) {
            check(dnnl_post_ops_append_sum(ops, 1f, 0, dnnl_f32), "post-ops");
        }
        if (act != Activation.IDENTITY) {
            int algorithm = switch (act) {
                case RELU, LEAKY_RELU -> dnnl_eltwise_relu;
                case ELU -> dnnl_eltwise_elu;
                case SIGMOID -> dnnl_eltwise_logistic;
                case TANH -> dnnl_eltwise_tanh;
                case IDENTITY -> throw new AssertionError(act);
            };
            // relu's alpha is the slope below 0 (0 for ReLU), elu's the saturation.
            float alpha = act == Activation.LEAKY_RELU || act == Activation.ELU ? param : 0f;
            check(dnnl_post_ops_append_eltwise(ops, algorithm, alpha, 0f), "post-ops");
        }
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        check(dnnl_primitive_attr_create(attr), "attributes");
        check(dnnl_primitive_attr_set_post_ops(attr, ops), "attributes");
        dnnl_post_ops_destroy(ops); // the attributes keep a copy
        return attr;
    }

    @Override
    public void close() {
        dnnl_stream_destroy(stream);
        dnnl_engine_destroy(engine);
    }

    /** A pointer re-aimed at a view before each call, so that calls allocate nothing. */
    static final class Address extends Pointer {
        Address aim(long to) {
            address = to;
            return this;
        }
    }

    /** A primitive with its arguments. */
    static final class Step {
        final dnnl_primitive primitive = new dnnl_primitive();
        final dnnl_exec_arg_t args;
        final int count;

        Step(dnnl_primitive_desc pd, Object... argsAndMemories) {
            check(dnnl_primitive_create(primitive, pd), "a primitive");
            count = argsAndMemories.length / 2;
            args = new dnnl_exec_arg_t(count);
            for (int i = 0; i < count; i++) {
                args.position(i).arg((Integer) argsAndMemories[2 * i]).memory((dnnl_memory) argsAndMemories[2 * i + 1]);
            }
            args.position(0);
        }
    }

    static void check(int status, String what) {
        if (status != dnnl_success) {
            throw new IllegalStateException("oneDNN failed to create or run " + what + " (status " + status + ")");
        }
    }
}
