package org.dnnc.compiler.sema;

import static org.dnnc.compiler.sema.Specs.ANY_INT;
import static org.dnnc.compiler.sema.Specs.INIT;
import static org.dnnc.compiler.sema.Specs.POSITIVE_INT;
import static org.dnnc.compiler.sema.Specs.opt;
import static org.dnnc.compiler.sema.Specs.req;

import java.util.List;
import org.dnnc.compiler.ir.AttentionDecoder;
import org.dnnc.compiler.ir.DType;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.LastStep;
import org.dnnc.compiler.ir.ShiftRight;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.sema.LayerCall.LayerException;

/**
 * Encoder–decoders with teacher forcing: {@code shift_right} makes a decoder's input from the
 * target, {@code last} takes an encoder's final state from its every-step output, and {@code
 * attention_decoder} runs a GRU that attends over the encoder's states at every step.
 */
final class DecoderLayers {
    private DecoderLayers() {}

    static void register(Registry.Builder r) {
        r.add(CoreLayers.layer("shift_right", 1, 1,
                "Token ids [T] moved one step later behind a start token: a decoder's input under teacher forcing.",
                List.of(req("fill", ANY_INT, "the id at the first step (the start token)")),
                DecoderLayers::shiftRight));
        r.add(CoreLayers.layer("last", 1, 2,
                "The last step [F] of a sequence [T, F], or the last within each sequence's length.",
                List.of(), DecoderLayers::last));
        r.add(CoreLayers.layer("attention_decoder", 2, 4,
                "A GRU decoder that attends over values [T, Dv] at every step: [S, E] -> [S, hidden + Dv].",
                List.of(req("cell", new ArgType.LayerArg(List.of("gru")), "the decoder's cell, e.g. gru(64)"),
                        req("units", POSITIVE_INT, "size of the attention's scoring layer"),
                        opt("init", INIT, null, "weight initializer (default: the cell's, or the train section's)")),
                DecoderLayers::decoder));
    }

    private static Val.Tensor shiftRight(LayerCall c) throws LayerException {
        Val.Tensor ids = c.input(0);
        if (ids.type().dtype() != DType.I32 || ids.type().rank() != 2) {
            throw new LayerException("`shift_right` takes a sequence of token ids (an `int[T]` input), got "
                    + Shapes.perExample(ids.type()) + " (" + ids.type() + ") from " + ids.producer(),
                    List.of("shift the target's ids, `tgt -> shift_right(fill: 1)`, then embed them"), List.of(ids));
        }
        return c.result(c.emit(new ShiftRight(c.args().integer("fill")), ids.id()));
    }

    private static Val.Tensor last(LayerCall c) throws LayerException {
        Val.Tensor x = c.input(0);
        Shapes.requireFloat(c, x, "sequences");
        if (x.type().rank() != 3) {
            throw new LayerException("`last` needs a sequence [time, features] per example, got "
                    + Shapes.perExample(x.type()) + " from " + x.producer(),
                    List.of("give it a recurrent layer's every step, `gru(64, return_sequences: true)`"), List.of(x));
        }
        int lengths = RecurrentLayers.lengths(c, 1);
        LastStep op = new LastStep(lengths >= 0);
        return c.result(lengths >= 0 ? c.emit(op, x.id(), lengths) : c.emit(op, x.id()));
    }

    private static Val.Tensor decoder(LayerCall c) throws LayerException {
        Val.Tensor x = c.input(0);
        Val.Tensor values = c.input(1);
        Shapes.requireFloat(c, x, "the decoder's inputs");
        Shapes.requireFloat(c, values, "values");
        if (x.type().rank() != 3 || values.type().rank() != 3) {
            throw new LayerException("`attention_decoder` needs inputs [steps, features] and values [time, features]"
                    + " per example, got " + Shapes.perExample(x.type()) + " and " + Shapes.perExample(values.type()),
                    List.of("write `tgt -> shift_right(fill: 1) -> embedding(vocab: V, dim: E)"
                            + " -> attention_decoder(states, gru(64), units: 32)`"), List.of(x, values));
        }
        LayerInstance cell = c.args().layer("cell");
        if (cell.args().bool("return_sequences")) {
            throw new LayerException("`attention_decoder` returns every step already; its cell takes no"
                    + " `return_sequences`", List.of("write the cell as `gru(" + cell.args().integer("hidden") + ")`"),
                    List.of());
        }
        int hidden = cell.args().integer("hidden");
        int in = Shapes.fixed(c, x.type().dim(2), "input size");
        int dv = Shapes.fixed(c, values.type().dim(2), "value size");
        if (3L * hidden > Integer.MAX_VALUE || (long) in + dv > Integer.MAX_VALUE
                || (long) hidden + dv > Integer.MAX_VALUE) {
            throw new LayerException("`attention_decoder`: hidden size " + hidden + " is too large");
        }
        int initial = -1;
        int lengths = -1;
        for (int i = 2; i < c.inputs().size(); i++) {
            Val.Tensor extra = c.input(i);
            if (extra.type().dtype() == DType.I32 && lengths < 0) {
                lengths = RecurrentLayers.lengths(c, i);
            } else if (extra.type().equals(TensorType.f32(Dim.BATCH, Dim.of(hidden))) && initial < 0) {
                initial = extra.id();
            } else {
                throw new LayerException("`attention_decoder` takes, after its values, an initial state [" + hidden
                        + "] (the cell's hidden size) and the values' lengths (an `int` per example), got "
                        + Shapes.perExample(extra.type()) + " (" + extra.type() + ") from " + extra.producer(),
                        List.of("start the decoder from an encoder's final state of the same size:"
                                + " `final = states -> last;`"), List.of(extra));
            }
        }
        String init = c.args().has("init") ? c.args().option("init").toString()
                : cell.args().has("init") ? cell.args().option("init").toString() : c.defaultInit();
        int rows = 3 * hidden;
        int wih = c.param("weight_ih", TensorType.f32(Dim.of(rows), Dim.of(in + dv)), true, init);
        int whh = c.param("weight_hh", TensorType.f32(Dim.of(rows), Dim.of(hidden)), true, init);
        int bih = c.param("bias_ih", Shapes.vector(rows), true, "zeros");
        int bhh = c.param("bias_hh", Shapes.vector(rows), true, "zeros");
        int units = c.args().integer("units");
        int w = c.param("attention_weight", TensorType.f32(Dim.of(units), Dim.of(hidden + dv)), true, init);
        int v = c.param("attention_score", Shapes.vector(units), true, init);
        AttentionDecoder op = new AttentionDecoder(hidden, units, initial >= 0, lengths >= 0);
        int[] operands = initial >= 0 && lengths >= 0 ? new int[] {x.id(), values.id(), wih, whh, bih, bhh, w, v,
            initial, lengths}
                : initial >= 0 ? new int[] {x.id(), values.id(), wih, whh, bih, bhh, w, v, initial}
                : lengths >= 0 ? new int[] {x.id(), values.id(), wih, whh, bih, bhh, w, v, lengths}
                : new int[] {x.id(), values.id(), wih, whh, bih, bhh, w, v};
        return c.result(c.emit(op, operands));
    }
}
