package org.dnnc.compiler.sema;

import static org.dnnc.compiler.sema.Specs.BOOL;
import static org.dnnc.compiler.sema.Specs.INIT;
import static org.dnnc.compiler.sema.Specs.POSITIVE_INT;
import static org.dnnc.compiler.sema.Specs.PROBABILITY;
import static org.dnnc.compiler.sema.Specs.opt;
import static org.dnnc.compiler.sema.Specs.req;

import java.util.ArrayList;
import java.util.List;
import org.dnnc.compiler.ir.BiasAdd;
import org.dnnc.compiler.ir.Binary;
import org.dnnc.compiler.ir.BinaryKind;
import org.dnnc.compiler.ir.Concat;
import org.dnnc.compiler.ir.DType;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Dropout;
import org.dnnc.compiler.ir.Embedding;
import org.dnnc.compiler.ir.Flatten;
import org.dnnc.compiler.ir.MatMul;
import org.dnnc.compiler.ir.Repeat;
import org.dnnc.compiler.ir.Reshape;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.sema.LayerCall.LayerException;

/** Dense, shape and combination layers. */
final class CoreLayers {
    private CoreLayers() {}

    static void register(Registry.Builder r) {
        r.add(layer("dense", 1, 1, "Fully connected layer: y = x·Wᵀ + b over the last axis.",
                List.of(req("units", POSITIVE_INT, "number of output features"),
                        opt("bias", BOOL, true, "add a learned bias"),
                        opt("init", INIT, null, "weight initializer (default: the train section's `init`)")),
                CoreLayers::dense));
        r.add(layer("flatten", 1, 1, "Flattens each example to one axis: [C, H, W] -> [C·H·W].", List.of(),
                c -> c.result(c.emit(new Flatten(), c.input(0).id()))));
        r.add(layer("reshape", 1, 1, "Reshapes each example; the element count must stay the same.",
                List.of(req("shape", new ArgType.IntListArg(1), "the new per-example shape, e.g. [1, 28, 28]")),
                CoreLayers::reshape));
        r.add(layer("dropout", 1, 1, "Inverted dropout: zeroes a fraction of values in training, identity in inference.",
                List.of(req("rate", PROBABILITY, "fraction of values dropped")),
                c -> c.result(c.emit(new Dropout(c.args().real("rate")), c.input(0).id()))));
        r.add(layer("repeat", 1, 1, "Repeats a vector along a new time axis: [F] -> [times, F].",
                List.of(req("times", POSITIVE_INT, "number of time steps")),
                c -> c.result(c.emit(new Repeat(c.args().integer("times")), c.input(0).id()))));
        r.add(layer("embedding", 1, 1, "Looks up integer ids in a learned table: [T] ids -> [T, dim].",
                List.of(req("vocab", POSITIVE_INT, "number of distinct ids"),
                        req("dim", POSITIVE_INT, "size of each embedding vector"),
                        opt("init", INIT, "normal", "table initializer")),
                CoreLayers::embedding));
        r.add(layer("add", 2, 2, "Elementwise sum of two values of the same shape (the same as `+`).", List.of(),
                c -> elementwise(c, BinaryKind.ADD, "+")));
        r.add(layer("mul", 2, 2, "Elementwise product of two values of the same shape (the same as `*`).", List.of(),
                c -> elementwise(c, BinaryKind.MUL, "*")));
        r.add(layer("concat", 2, Integer.MAX_VALUE,
                "Joins values along an axis: channels for images, features for vectors and sequences.",
                List.of(opt("axis", Specs.ANY_INT, null, "per-example axis (default: channels or features)")),
                CoreLayers::concat));
    }

    static LayerSpec layer(String name, int min, int max, String summary, List<ParamSpec> params, LayerSpec.LayerRule rule) {
        return new LayerSpec(name, Category.LAYER, min, max, params, summary, rule);
    }

    static String init(LayerCall c) {
        return c.args().has("init") ? c.args().option("init").toString() : c.defaultInit();
    }

    private static Val.Tensor dense(LayerCall c) throws LayerException {
        Val.Tensor x = c.input(0);
        TensorType t = x.type();
        Shapes.requireFloat(c, x, "features");
        int perExampleRank = t.rank() - 1;
        if (perExampleRank == 0) {
            throw new LayerException("`dense` needs a vector of features per example, got a scalar " + t
                    + " from " + x.producer(), List.of(), List.of(x));
        }
        if (perExampleRank > 2) {
            throw new LayerException("`dense` needs a vector of features per example, but this value has shape "
                    + Shapes.perExample(t) + " (" + t + ") from " + x.producer(),
                    List.of("insert `flatten` before `dense`: `... -> flatten -> dense(" + c.args().integer("units") + ")`"),
                    List.of(x));
        }
        int features = Shapes.fixed(c, t.dim(-1), "feature count");
        int units = c.args().integer("units");
        int w = c.param("weight", TensorType.f32(Dim.of(units), Dim.of(features)), true, init(c));
        int y = c.emit(new MatMul(), x.id(), w);
        if (c.args().bool("bias")) {
            int b = c.param("bias", Shapes.vector(units), true, "zeros");
            y = c.emit(new BiasAdd(-1), y, b);
        }
        return c.result(y);
    }

    private static Val.Tensor reshape(LayerCall c) throws LayerException {
        List<Dim> dims = new ArrayList<>();
        for (int size : c.args().ints("shape")) {
            dims.add(Dim.of(size));
        }
        return c.result(c.emit(new Reshape(dims), c.input(0).id()));
    }

    private static Val.Tensor embedding(LayerCall c) throws LayerException {
        Val.Tensor ids = c.input(0);
        if (ids.type().dtype() != DType.I32) {
            throw new LayerException("`embedding` looks up integer ids, got " + ids.type() + " from " + ids.producer(),
                    List.of("declare the input with `int`, e.g. `input tokens: int[T <= 100];`"), List.of(ids));
        }
        int table = c.param("weight",
                TensorType.f32(Dim.of(c.args().integer("vocab")), Dim.of(c.args().integer("dim"))), true,
                c.args().option("init").toString());
        return c.result(c.emit(new Embedding(), ids.id(), table));
    }

    static Val.Tensor elementwise(LayerCall c, BinaryKind kind, String symbol) throws LayerException {
        Val.Tensor a = c.input(0);
        Val.Tensor b = c.input(1);
        if (!a.type().equals(b.type())) {
            throw new LayerException("shapes differ in `" + symbol + "`: " + a.type() + " from " + a.producer()
                    + " vs " + b.type() + " from " + b.producer(),
                    List.of("both sides of `" + symbol + "` must have the same shape; a strided 1x1 `conv2d` can project a skip connection"),
                    List.of(a, b));
        }
        return c.result(c.emit(new Binary(kind), a.id(), b.id()));
    }

    private static Val.Tensor concat(LayerCall c) throws LayerException {
        TensorType first = c.input(0).type();
        int perExampleRank = first.rank() - 1;
        int axis = c.args().has("axis") ? c.args().integer("axis") : (perExampleRank == 2 ? -1 : 0);
        int ir = Shapes.irAxis(c, first, axis);
        Val.Tensor a = c.input(0);
        for (Val.Tensor b : c.inputs()) {
            if (b.type().rank() != first.rank() || b.type().dtype() != first.dtype()) {
                throw new LayerException("`concat` needs values of the same kind and rank, got " + first + " from "
                        + a.producer() + " and " + b.type() + " from " + b.producer(), List.of(), List.of(a, b));
            }
            for (int d = 1; d < first.rank(); d++) {
                if (d != ir && !b.type().dim(d).equals(first.dim(d))) {
                    throw new LayerException("`concat` along axis " + axis + " needs the other axes to agree, but "
                            + first + " from " + a.producer() + " and " + b.type() + " from " + b.producer()
                            + " differ in axis " + (d - 1), List.of(), List.of(a, b));
                }
            }
            if (!(b.type().dim(ir) instanceof Dim.Fixed)) {
                throw new LayerException("`concat` cannot join along axis " + axis + ": its size " + b.type().dim(ir)
                        + " varies from batch to batch (" + b.type() + " from " + b.producer() + ")",
                        List.of("join along a fixed axis, such as the features: `axis: -1`"), List.of(b));
            }
        }
        int[] ids = c.inputs().stream().mapToInt(Val.Tensor::id).toArray();
        return c.result(c.emit(new Concat(ir), ids));
    }
}
