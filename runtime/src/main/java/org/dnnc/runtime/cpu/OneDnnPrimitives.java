package org.dnnc.runtime.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_get_memory_desc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reorder_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * What a cached oneDNN call holds: memory objects over dnnc's views (re-aimed at them on each
 * call, so that a call allocates nothing), buffers in the layouts its primitives chose where those
 * differ from the views', and the primitives, freed together on {@link #close}.
 */
abstract class OneDnnPrimitives implements AutoCloseable {
    final OneDnn dnn;
    private final dnnl_memory[] users;
    private final List<dnnl_memory> memories = new ArrayList<>();
    private final List<dnnl_memory_desc> descs = new ArrayList<>();
    private final OneDnn.Address address = new OneDnn.Address();

    OneDnnPrimitives(OneDnn dnn, int views) {
        this.dnn = dnn;
        this.users = new dnnl_memory[views];
    }

    /** Aims view slot {@code i} at {@code view}; a slot without a memory object ignores it. */
    final void aim(int i, Buf view) {
        if (users[i] != null) {
            aim(users[i], view.address());
        }
    }

    final void aim(dnnl_memory m, long address) {
        OneDnn.check(dnnl_memory_set_data_handle(m, this.address.aim(address)), "a memory object");
    }

    /** A memory object in view slot {@code i}, over the views that {@link #aim} gives it. */
    final dnnl_memory user(int i, dnnl_memory_desc md) {
        dnnl_memory m = wrapping(md);
        users[i] = m;
        return m;
    }

    /** A memory object over caller memory, aimed with {@link #aim(dnnl_memory, long)}. */
    final dnnl_memory wrapping(dnnl_memory_desc md) {
        dnnl_memory m = dnn.wrapping(md);
        memories.add(m);
        return m;
    }

    /** A buffer oneDNN allocates, freed with this object. */
    final dnnl_memory owned(dnnl_memory_desc md) {
        dnnl_memory m = dnn.owned(md);
        memories.add(m);
        return m;
    }

    /** {@code user} itself where the primitive reads its layout, else a buffer in the primitive's. */
    final dnnl_memory blocked(dnnl_memory user, dnnl_memory_desc plain, dnnl_memory_desc wanted) {
        return dnnl_memory_desc_equal(plain, wanted) != 0 ? user : owned(wanted);
    }

    /** The reorder from {@code from} to {@code to}, or {@code null} where they are one memory. */
    final OneDnn.Step reorder(dnnl_memory from, dnnl_memory to) {
        if (from == to) {
            return null;
        }
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        OneDnn.check(dnnl_reorder_primitive_desc_create(pd, descOf(from), dnn.engine, descOf(to), dnn.engine, null),
                "a reorder");
        OneDnn.Step step = new OneDnn.Step(pd, DNNL_ARG_FROM, from, DNNL_ARG_TO, to);
        dnnl_primitive_desc_destroy(pd);
        return step;
    }

    /** A descriptor destroyed by {@link #releaseDescs}, once the primitives are made. */
    final dnnl_memory_desc keep(dnnl_memory_desc d) {
        descs.add(d);
        return d;
    }

    final void releaseDescs() {
        for (dnnl_memory_desc d : descs) {
            dnnl_memory_desc_destroy(d);
        }
        descs.clear();
    }

    /** Runs the steps that are there, in order, and waits for them. */
    final void execute(OneDnn.Step... steps) {
        for (OneDnn.Step step : steps) {
            if (step != null) {
                OneDnn.check(dnnl_primitive_execute(step.primitive, dnn.stream, step.count, step.args), "a call");
            }
        }
        OneDnn.check(dnnl_stream_wait(dnn.stream), "a call");
    }

    /** Destroys the primitives of {@code steps} and every memory object made here. */
    final void destroy(OneDnn.Step... steps) {
        for (OneDnn.Step step : steps) {
            if (step != null) {
                dnnl_primitive_destroy(step.primitive);
            }
        }
        for (dnnl_memory m : memories) {
            dnnl_memory_destroy(m);
        }
        memories.clear();
    }

    @Override
    public abstract void close();

    private static dnnl_memory_desc descOf(dnnl_memory m) {
        dnnl_memory_desc d = new dnnl_memory_desc();
        OneDnn.check(dnnl_memory_get_memory_desc(m, d), "a memory descriptor");
        return d;
    }
}
