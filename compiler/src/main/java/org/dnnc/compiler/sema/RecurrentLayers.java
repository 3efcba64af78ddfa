package org.dnnc.compiler.sema;

import static org.dnnc.compiler.sema.Specs.BOOL;
import static org.dnnc.compiler.sema.Specs.INIT;
import static org.dnnc.compiler.sema.Specs.POSITIVE_INT;
import static org.dnnc.compiler.sema.Specs.oneOf;
import static org.dnnc.compiler.sema.Specs.opt;
import static org.dnnc.compiler.sema.Specs.req;

import java.util.ArrayList;
import java.util.List;
import org.dnnc.compiler.ir.AdditiveAttention;
import org.dnnc.compiler.ir.AttentionDecoder;
import org.dnnc.compiler.ir.AttentionWeights;
import org.dnnc.compiler.ir.CellKind;
import org.dnnc.compiler.ir.Concat;
import org.dnnc.compiler.ir.DType;
import org.dnnc.compiler.ir.DecoderWeights;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Recurrent;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.sema.LayerCall.LayerException;

/**
 * Recurrent layers over [time, features] sequences (PyTorch's parameter layout: gates i,f,g,o for
 * LSTM, r,z,n for GRU), optionally with each sequence's length and an initial state as further
 * inputs, bidirectional wrappers, and additive attention with its weights.
 */
final class RecurrentLayers {
    private static final List<String> CELLS = List.of("rnn", "lstm", "gru");

    private RecurrentLayers() {}

    static void register(Registry.Builder r) {
        r.add(cell("rnn", CellKind.RNN_TANH, "Simple recurrent layer: h = tanh(W·x + U·h + b), or relu.",
                opt("activation", oneOf("tanh", "relu"), "tanh", "the cell's nonlinearity")));
        r.add(cell("lstm", CellKind.LSTM, "Long short-term memory layer (gates i, f, g, o)."));
        r.add(cell("gru", CellKind.GRU, "Gated recurrent unit (gates r, z, n; reset applied after the matmul)."));
        r.add(CoreLayers.layer("bidirectional", 1, 2,
                "Runs a recurrent layer forwards and backwards and concatenates both on the feature axis.",
                List.of(req("layer", new ArgType.LayerArg(CELLS), "the recurrent layer, e.g. lstm(64)")),
                RecurrentLayers::bidirectional));
        r.add(CoreLayers.layer("attention", 2, 3,
                "Additive (Bahdanau) attention: a query [Dq] (or each of queries [Tq, Dq]) attends over values"
                        + " [T, Dv] and returns the context [Dv] (or [Tq, Dv]).",
                List.of(req("units", POSITIVE_INT, "size of the hidden scoring layer"),
                        opt("init", INIT, null, "weight initializer (default: the train section's `init`)")),
                RecurrentLayers::attention));
        r.add(CoreLayers.layer("attention_weights", 1, 1,
                "The weights an `attention` (or `attention_decoder`) gave each value step: [T] per query,"
                        + " zero past the values' length.",
                List.of(), RecurrentLayers::attentionWeights));
    }

    private static LayerSpec cell(String name, CellKind kind, String summary, ParamSpec... extra) {
        List<ParamSpec> params = new ArrayList<>(List.of(req("hidden", POSITIVE_INT, "size of the hidden state"),
                opt("return_sequences", BOOL, false, "return every step [T, hidden] instead of the last [hidden]"),
                opt("init", INIT, null, "weight initializer (default: the train section's `init`)")));
        params.addAll(List.of(extra));
        return CoreLayers.layer(name, 1, 3, summary, params,
                c -> cellLayer(c, kind));
    }

    /**
     * A recurrent layer over its first input, with each sequence's length (an int per example) and an
     * initial state ({@code [hidden]}) when further inputs give them.
     */
    private static Val.Tensor cellLayer(LayerCall c, CellKind kind) throws LayerException {
        int features = sequenceFeatures(c);
        int lengths = -1;
        int initial = -1;
        int hidden = c.args().integer("hidden");
        for (int i = 1; i < c.inputs().size(); i++) {
            Val.Tensor input = c.input(i);
            if (input.type().equals(TensorType.f32(Dim.BATCH, Dim.of(hidden))) && initial < 0) {
                initial = input.id();
            } else if (lengths < 0 && (i == 1 || input.type().dtype() == DType.I32)) {
                lengths = lengths(c, i);
            } else {
                throw new LayerException("`" + c.name() + "` takes, after its sequence, the sequences' lengths (an"
                        + " `int` per example) and an initial state [" + hidden + "] (its hidden size), got "
                        + Shapes.perExample(input.type()) + " (" + input.type() + ") from " + input.producer(),
                        List.of("start the layer from a state of its own size, e.g. an encoder's `states -> last`"),
                        List.of(input));
            }
        }
        return c.result(direction(c, kind, c.args(), features, lengths, initial, false, ""));
    }

    /**
     * The id of the optional second input, each sequence's length (an int per example, as PyTorch's
     * packed sequences), or -1 without one.
     */
    private static int lengths(LayerCall c) throws LayerException {
        return lengths(c, 1);
    }

    /** As {@link #lengths(LayerCall)}, for a layer whose lengths are its input {@code at}. */
    static int lengths(LayerCall c, int at) throws LayerException {
        if (c.inputs().size() <= at) {
            return -1;
        }
        Val.Tensor lengths = c.input(at);
        if (!lengths.type().equals(TensorType.of(DType.I32, Dim.BATCH))) {
            String place = List.of("second", "third", "fourth").get(at - 1);
            throw new LayerException("`" + c.name() + "` takes each sequence's length as its " + place
                    + " input, an `int` per example, got " + Shapes.perExample(lengths.type()) + " ("
                    + lengths.type() + ") from " + lengths.producer(),
                    List.of("declare the lengths as `input length: int;`"), List.of(lengths));
        }
        return lengths.id();
    }

    private static int sequenceFeatures(LayerCall c) throws LayerException {
        Val.Tensor x = c.input(0);
        Shapes.requireFloat(c, x, "sequences");
        if (x.type().rank() != 3) {
            throw new LayerException("`" + c.name() + "` needs a sequence [time, features] per example, got "
                    + Shapes.perExample(x.type()) + " (" + x.type() + ") from " + x.producer(),
                    x.type().rank() == 2 ? List.of("use `repeat(T)` to turn a vector into a sequence") : List.of(),
                    List.of(x));
        }
        return Shapes.fixed(c, x.type().dim(2), "feature count");
    }

    /**
     * One direction of a recurrent layer, with the lengths input {@code lengths} and the initial
     * state {@code initial}, or none (-1); {@code suffix} distinguishes the reverse direction's
     * parameters.
     */
    private static int direction(LayerCall c, CellKind kind, Args args, int features, int lengths, int initial,
            boolean reverse, String suffix) throws LayerException {
        int hidden = args.integer("hidden");
        boolean relu = kind == CellKind.RNN_TANH && args.has("activation") && args.string("activation").equals("relu");
        CellKind cell = relu ? CellKind.RNN_RELU : kind;
        int gates = cell.gates();
        if ((long) gates * hidden > Integer.MAX_VALUE) {
            throw new LayerException("`" + c.name() + "`: hidden size " + hidden + " is too large (" + gates + " gates of "
                    + hidden + " rows overflow the weights)");
        }
        String init = args.has("init") ? args.option("init").toString() : c.defaultInit();
        int wih = c.param("weight_ih_l0" + suffix, TensorType.f32(Dim.of(gates * hidden), Dim.of(features)), true, init);
        int whh = c.param("weight_hh_l0" + suffix, TensorType.f32(Dim.of(gates * hidden), Dim.of(hidden)), true, init);
        int bih = c.param("bias_ih_l0" + suffix, Shapes.vector(gates * hidden), true, "zeros");
        int bhh = c.param("bias_hh_l0" + suffix, Shapes.vector(gates * hidden), true, "zeros");
        Recurrent layer = new Recurrent(cell, hidden, args.bool("return_sequences"), reverse, lengths >= 0,
                initial >= 0);
        List<Integer> operands = new ArrayList<>(List.of(c.input(0).id(), wih, whh, bih, bhh));
        if (lengths >= 0) {
            operands.add(lengths);
        }
        if (initial >= 0) {
            operands.add(initial);
        }
        return c.emit(layer, operands.stream().mapToInt(Integer::intValue).toArray());
    }

    private static Val.Tensor bidirectional(LayerCall c) throws LayerException {
        LayerInstance inner = c.args().layer("layer");
        CellKind kind = switch (inner.spec().name()) {
            case "rnn" -> CellKind.RNN_TANH;
            case "lstm" -> CellKind.LSTM;
            default -> CellKind.GRU;
        };
        int features = sequenceFeatures(c);
        int lengths = lengths(c);
        int forward = direction(c, kind, inner.args(), features, lengths, -1, false, "");
        int backward = direction(c, kind, inner.args(), features, lengths, -1, true, "_reverse");
        return c.result(c.emit(new Concat(-1), forward, backward));
    }

    private static Val.Tensor attention(LayerCall c) throws LayerException {
        Val.Tensor query = c.input(0);
        Val.Tensor values = c.input(1);
        Shapes.requireFloat(c, query, "a query");
        Shapes.requireFloat(c, values, "values");
        if (query.type().rank() != 2 && query.type().rank() != 3 || values.type().rank() != 3) {
            throw new LayerException("`attention` needs a query [features] or queries [time, features], and values"
                    + " [time, features] per example, got " + Shapes.perExample(query.type()) + " and "
                    + Shapes.perExample(values.type()),
                    List.of("write `query -> attention(values, units: 32)`"), List.of(query, values));
        }
        int dq = Shapes.fixed(c, query.type().dim(-1), "query size");
        int dv = Shapes.fixed(c, values.type().dim(2), "value size");
        if ((long) dq + dv > Integer.MAX_VALUE) {
            throw new LayerException("`attention`: the query (" + dq + ") and the values (" + dv
                    + ") have too many features together", List.of(), List.of(query, values));
        }
        int units = c.args().integer("units");
        int w = c.param("weight", TensorType.f32(Dim.of(units), Dim.of(dq + dv)), true, CoreLayers.init(c));
        int v = c.param("score", Shapes.vector(units), true, CoreLayers.init(c));
        int lengths = lengths(c, 2);
        AdditiveAttention attention = new AdditiveAttention(units, lengths >= 0);
        return c.result(lengths >= 0
                ? c.emit(attention, query.id(), values.id(), w, v, lengths)
                : c.emit(attention, query.id(), values.id(), w, v));
    }

    /** The weights of the attention that produced the input, computed again from its operands. */
    private static Val.Tensor attentionWeights(LayerCall c) throws LayerException {
        Val.Tensor context = c.input(0);
        int[] operands = c.graphInputs(context.id()).stream().mapToInt(Integer::intValue).toArray();
        if (c.graphOp(context.id()) instanceof AttentionDecoder decoder) {
            return c.result(c.emit(new DecoderWeights(decoder), operands));
        }
        if (!(c.graphOp(context.id()) instanceof AdditiveAttention attention)) {
            throw new LayerException("`attention_weights` takes the result of an `attention` or an `attention_decoder`, got "
                    + Shapes.perExample(context.type()) + " from " + context.producer(),
                    List.of("name the context, `ctx = query -> attention(values, units: 32);`, and write"
                            + " `attention_weights(ctx)`"), List.of(context));
        }
        return c.result(c.emit(new AttentionWeights(attention), operands));
    }
}
