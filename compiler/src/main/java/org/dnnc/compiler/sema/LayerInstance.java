package org.dnnc.compiler.sema;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.dnnc.compiler.diag.Span;
import org.dnnc.compiler.ir.TensorType;

/**
 * A layer with its arguments bound and a parameter-name prefix. Its parameters are created on the
 * first application and reused by later ones, which is how a named layer shares weights.
 */
public final class LayerInstance {
    private final LayerSpec spec;
    private final Args args;
    private final String path;
    private final Span span;
    private final Map<String, Integer> params = new LinkedHashMap<>();
    private final Map<String, TensorType> paramTypes = new LinkedHashMap<>();
    private int applications;

    LayerInstance(LayerSpec spec, Args args, String path, Span span) {
        this.spec = spec;
        this.args = args;
        this.path = path;
        this.span = span;
    }

    public LayerSpec spec() {
        return spec;
    }

    public Args args() {
        return args;
    }

    /** The parameter-name prefix, e.g. {@code logits.dense1}. */
    public String path() {
        return path;
    }

    public Span span() {
        return span;
    }

    int applications() {
        return applications;
    }

    void applied() {
        applications++;
    }

    Optional<Integer> param(String local) {
        return Optional.ofNullable(params.get(local));
    }

    /** The nodes of the parameters created so far (none before the first application). */
    Collection<Integer> paramNodes() {
        return params.values();
    }

    TensorType paramType(String local) {
        return paramTypes.get(local);
    }

    void recordParam(String local, int id, TensorType type) {
        params.put(local, id);
        paramTypes.put(local, type);
    }
}
