package org.dnnc.runtime.cpu;

/**
 * A context's oneDNN engine and stream and the calls made on them: convolution passes ({@link
 * OneDnnConv}), batch normalizations ({@link OneDnnNorm}) and dense passes ({@link OneDnnDense}),
 * each kind the last {@link #CACHED}
 * made or used, most recent first. An evicted call is freed at once, the rest when the context
 * closes.
 */
final class OneDnnCache implements AutoCloseable {

    /** Calls of each kind kept per context: every pass of a network's layers, and of a short last batch. */
    static final int CACHED = 64;

    private final OneDnn dnn = new OneDnn();
    private final OneDnnConv.Call[] convs = new OneDnnConv.Call[CACHED];
    private final OneDnnNorm[] norms = new OneDnnNorm[CACHED];
    private final OneDnnDense.Call[] denses = new OneDnnDense.Call[CACHED];

    /**
     * The entered context's cache where oneDNN may run a call of {@code batch} examples, else {@code
     * null}: outside an entered context or in one of another size than OpenMP's team ({@link
     * OneDnn#usable}), or for an empty batch.
     */
    static OneDnnCache of(int batch) {
        CpuContext context = CpuContext.current();
        if (batch == 0 || !OneDnn.usable(context)) {
            return null;
        }
        OneDnnCache cache = context.oneDnn();
        if (cache != null) {
            // Its OpenMP team needs both cores; a helper still spinning after dnnc's last kernel would
            // take one.
            context.restHelper();
        }
        return cache;
    }

    OneDnnConv.Call conv(OneDnnConv.Kind kind, ConvGeometry g, int batch, Activation act, float param,
            boolean hasBias, Layout in, Layout out) {
        for (int i = 0; i < CACHED; i++) {
            OneDnnConv.Call c = convs[i];
            if (c != null && c.matches(kind, g, batch, act, param, hasBias, in, out)) {
                return c;
            }
        }
        return push(convs, new OneDnnConv.Call(dnn, kind, g, batch, act, param, hasBias, in, out));
    }

    OneDnnDense.Call dense(OneDnnDense.Kind kind, int batch, int in, int out, Activation act, float param,
            boolean hasBias, boolean accumulate) {
        for (int i = 0; i < CACHED; i++) {
            OneDnnDense.Call c = denses[i];
            if (c != null && c.matches(kind, batch, in, out, act, param, hasBias, accumulate)) {
                return c;
            }
        }
        return push(denses, new OneDnnDense.Call(dnn, kind, batch, in, out, act, param, hasBias, accumulate));
    }

    OneDnnNorm norm(int batch, int channels, int spatial, float eps, boolean relu, boolean residual, long layer) {
        for (int i = 0; i < CACHED; i++) {
            OneDnnNorm n = norms[i];
            if (n != null && n.matches(batch, channels, spatial, eps, relu, residual, layer)) {
                return n;
            }
        }
        return push(norms, new OneDnnNorm(dnn, batch, channels, spatial, eps, relu, residual, layer));
    }

    /** The batch norm with a ReLU that a forward pass made for {@code layer}, or {@code null}. */
    OneDnnNorm existingNorm(int batch, int channels, int spatial, float eps, long layer) {
        for (int i = 0; i < CACHED; i++) {
            OneDnnNorm n = norms[i];
            if (n != null && n.matches(batch, channels, spatial, eps, true, null, layer)) {
                return n;
            }
        }
        return null;
    }

    private static <T extends OneDnnPrimitives> T push(T[] entries, T made) {
        if (entries[CACHED - 1] != null) {
            entries[CACHED - 1].close();
        }
        System.arraycopy(entries, 0, entries, 1, CACHED - 1);
        entries[0] = made;
        return made;
    }

    /** How many convolution calls it holds, for tests. */
    int size() {
        int n = 0;
        for (OneDnnConv.Call c : convs) {
            n += c == null ? 0 : 1;
        }
        return n;
    }

    /** How many dense calls it holds, for tests. */
    int denseCalls() {
        int n = 0;
        for (OneDnnDense.Call c : denses) {
            n += c == null ? 0 : 1;
        }
        return n;
    }

    @Override
    public void close() {
        for (int i = 0; i < CACHED; i++) {
            if (convs[i] != null) {
                convs[i].close();
                convs[i] = null;
            }
            if (norms[i] != null) {
                norms[i].close();
                norms[i] = null;
            }
            if (denses[i] != null) {
                denses[i].close();
                denses[i] = null;
            }
        }
        dnn.close();
    }
}
