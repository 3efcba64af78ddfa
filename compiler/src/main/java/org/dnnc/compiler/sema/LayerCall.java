package org.dnnc.compiler.sema;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.Severity;
import org.dnnc.compiler.diag.Span;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.IrTypeException;
import org.dnnc.compiler.ir.Op;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.TensorType;

/**
 * One application of a layer, as its rule sees it: the input tensors, the bound arguments, and
 * helpers that create parameters, emit IR and report errors that name the shapes and the layers
 * that produced them.
 */
public final class LayerCall {
    /** Where a layer rule sends its diagnostics (the resolver adds block-expansion notes). */
    interface Host {
        GraphBuilder graph();

        void report(Diagnostic diagnostic);

        String defaultInit();

        /** The examples per step the network's programs are planned for. */
        TensorLimits.PlannedBatch batch();
    }

    private static final String REMEDY = "make the layer or its input smaller";

    private final Host host;
    private final LayerInstance instance;
    private final List<Val.Tensor> inputs;
    private final Span span;
    private final String path;

    LayerCall(Host host, LayerInstance instance, List<Val.Tensor> inputs, Span span, String path) {
        this.host = host;
        this.instance = instance;
        this.inputs = List.copyOf(inputs);
        this.span = span;
        this.path = path;
    }

    public String name() {
        return instance.spec().name();
    }

    public Args args() {
        return instance.args();
    }

    public List<Val.Tensor> inputs() {
        return inputs;
    }

    public Val.Tensor input(int i) {
        return inputs.get(i);
    }

    public Span span() {
        return span;
    }

    public String defaultInit() {
        return host.defaultInit();
    }

    /**
     * The parameter {@code local} of this layer ({@code weight}, {@code bias}...), created on the
     * first application; a later application of a shared layer must need the same shape.
     */
    public int param(String local, TensorType type, boolean trainable, String init) throws LayerException {
        var existing = instance.param(local);
        if (existing.isPresent()) {
            TensorType had = instance.paramType(local);
            if (!had.equals(type)) {
                throw new LayerException("shared layer `" + instance.path() + "` was first applied where its "
                        + local + " is " + had + ", but here it would need " + type
                        + " (inputs: " + shapes() + ")");
            }
            return existing.get();
        }
        Optional<TensorLimits.TooLarge> tooLarge =
                TensorLimits.parameter("`" + name() + "` would make a `" + local + "` of", type, REMEDY);
        if (tooLarge.isPresent()) {
            throw new LayerException(tooLarge.get().message(), List.of(tooLarge.get().hint()), List.of());
        }
        String name = instance.path() + "." + local;
        int id;
        try {
            id = host.graph().param(name, type, trainable, init, new Origin(instance.span(), instance.path()));
        } catch (IllegalArgumentException e) {
            // The name is taken (a value named `loss` and the train section's loss name their layers
            // alike) or a size is not positive: an error at this layer, not a crash.
            throw new LayerException("`" + name() + "` cannot create its parameter `" + name + "`: " + e.getMessage());
        }
        instance.recordParam(local, id, type);
        return id;
    }

    /**
     * Emits {@code op} over the given operand ids; a type error, or a result too large for a tensor
     * at the planned batch, becomes a {@link LayerException}.
     */
    public int emit(Op op, int... operands) throws LayerException {
        int id = typed(op, () -> host.graph().add(op, Arrays.stream(operands).boxed().toList(), new Origin(span, path)));
        Optional<TensorLimits.TooLarge> tooLarge =
                TensorLimits.value("`" + name() + "` would make a value of", host.graph().type(id), host.batch(), REMEDY);
        if (tooLarge.isPresent()) {
            throw new LayerException(tooLarge.get().message(), List.of(tooLarge.get().hint()), List.of());
        }
        return id;
    }

    /**
     * Runs {@code rule}, part of {@code op}'s typing (such as the shape of its parameters, needed
     * before it is emitted), so that the layer states no shape rule of its own; a type error
     * becomes a {@link LayerException}.
     */
    public <T> T typed(Op op, IrRule<T> rule) throws LayerException {
        try {
            return rule.run();
        } catch (IrTypeException e) {
            // The IR names its op; the user knows the layer, so the message names only the layer.
            String prefix = op.mnemonic() + ": ";
            String message = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
            throw new LayerException("`" + name() + "`: " + message);
        }
    }

    /** Part of an op's typing rule, which may reject its operands. */
    @FunctionalInterface
    public interface IrRule<T> {
        T run() throws IrTypeException;
    }

    /** The tensor value of node {@code id}, produced by this layer. */
    public Val.Tensor result(int id) {
        return new Val.Tensor(id, host.graph().type(id), "`" + name() + "`", span);
    }

    public TensorType type(int id) {
        return host.graph().type(id);
    }

    /** The operation that produced node {@code id} (to warn about, e.g., softmax before cross_entropy). */
    public Op graphOp(int id) {
        return host.graph().node(id).op();
    }

    /** The operands of node {@code id} (to apply a related op to what a layer's result was made from). */
    public List<Integer> graphInputs(int id) {
        return host.graph().node(id).inputs();
    }

    /** A warning at this call. */
    public void warn(String message, String hint) {
        host.report(new Diagnostic(Severity.WARNING, span, message, List.of(hint), List.of()));
    }

    /** An error at this call, with a note pointing at the producer of every input. */
    Val fail(LayerException e) {
        Diagnostic d = new Diagnostic(Severity.ERROR, span, e.getMessage(), e.hints(), List.of());
        var noted = new java.util.HashSet<Span>();
        for (Val.Tensor in : e.blame().isEmpty() ? inputs : e.blame()) {
            // The same value given twice, as in concat(x, x), is described once.
            if (!in.span().isNone() && !in.span().equals(span) && noted.add(in.span())) {
                d = d.withNote(in.span(), "this " + in.type() + " comes from " + in.producer());
            }
        }
        host.report(d);
        return Val.ERROR;
    }

    private String shapes() {
        List<String> s = new ArrayList<>();
        for (Val.Tensor t : inputs) {
            s.add(t.type().toString());
        }
        return String.join(", ", s);
    }

    /** A shape or argument problem found by a layer rule. */
    public static final class LayerException extends Exception {
        private static final long serialVersionUID = 1L;
        private final List<String> hints;
        private final List<Val.Tensor> blame;

        public LayerException(String message) {
            this(message, List.of(), List.of());
        }

        public LayerException(String message, List<String> hints, List<Val.Tensor> blame) {
            super(message);
            this.hints = List.copyOf(hints);
            this.blame = List.copyOf(blame);
        }

        List<String> hints() {
            return hints;
        }

        List<Val.Tensor> blame() {
            return blame;
        }
    }
}
