package org.dnnc.compiler.sema;

import static org.dnnc.compiler.sema.Specs.BOOL;
import static org.dnnc.compiler.sema.Specs.INIT;
import static org.dnnc.compiler.sema.Specs.PADDING;
import static org.dnnc.compiler.sema.Specs.POSITIVE_INT;
import static org.dnnc.compiler.sema.Specs.opt;
import static org.dnnc.compiler.sema.Specs.pair;
import static org.dnnc.compiler.sema.Specs.req;

import java.util.Arrays;
import java.util.List;
import org.dnnc.compiler.ir.BiasAdd;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.GlobalAvgPool;
import org.dnnc.compiler.ir.Pool2d;
import org.dnnc.compiler.ir.PoolKind;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.sema.LayerCall.LayerException;

/** Convolution and pooling over images laid out as [channels, height, width] per example. */
final class ConvLayers {
    private ConvLayers() {}

    static void register(Registry.Builder r) {
        r.add(CoreLayers.layer("conv2d", 1, 1, "2-D convolution (cross-correlation) over [C, H, W] images.",
                List.of(req("filters", POSITIVE_INT, "number of output channels"),
                        req("kernel", pair(1), "kernel size, e.g. 5 or [3, 5]"),
                        opt("stride", pair(1), new int[] {1, 1}, "step between windows"),
                        opt("padding", PADDING, new Padding.Valid(),
                                "`valid` (none), `same` (output size = ceil(input / stride)), or explicit sizes"),
                        opt("bias", BOOL, true, "add a learned per-channel bias"),
                        opt("init", INIT, null, "weight initializer (default: the train section's `init`)")),
                ConvLayers::conv2d));
        r.add(pool("maxpool", PoolKind.MAX, "Maximum over each window."));
        r.add(pool("avgpool", PoolKind.AVG, "Average over each window."));
        r.add(CoreLayers.layer("global_avgpool", 1, 1, "Averages each channel over all positions: [C, H, W] -> [C].",
                List.of(), c -> {
                    image(c);
                    return c.result(c.emit(new GlobalAvgPool(), c.input(0).id()));
                }));
    }

    private static LayerSpec pool(String name, PoolKind kind, String summary) {
        return CoreLayers.layer(name, 1, 1, summary,
                List.of(opt("size", pair(1), new int[] {2, 2}, "window size"),
                        opt("stride", pair(1), null, "step between windows (default: the window size)"),
                        opt("padding", new ArgType.IntArg(0, Integer.MAX_VALUE), 0L, "zero padding on each side")),
                c -> {
                    image(c);
                    int[] size = c.args().pair("size");
                    int[] stride = c.args().has("stride") ? c.args().pair("stride") : size;
                    int pad = c.args().integer("padding");
                    fits(c, size, new int[] {pad, pad, pad, pad});
                    return c.result(c.emit(new Pool2d(kind, size[0], size[1], stride[0], stride[1], pad, pad),
                            c.input(0).id()));
                });
    }

    /** Checks that the input is [N, C, H, W] and returns it. */
    private static TensorType image(LayerCall c) throws LayerException {
        Val.Tensor x = c.input(0);
        Shapes.requireFloat(c, x, "images");
        if (x.type().rank() != 4) {
            throw new LayerException("`" + c.name() + "` needs images of shape [channels, height, width] per example, got "
                    + Shapes.perExample(x.type()) + " (" + x.type() + ") from " + x.producer(),
                    x.type().rank() == 2
                            ? List.of("declare image inputs with their channels, e.g. `input image: float[1, 28, 28];`, or use `reshape`")
                            : List.of(),
                    List.of(x));
        }
        return x.type();
    }

    private static Val.Tensor conv2d(LayerCall c) throws LayerException {
        TensorType t = image(c);
        int channels = Shapes.fixed(c, t.dim(1), "channel count");
        int h = Shapes.fixed(c, t.dim(2), "height");
        int w = Shapes.fixed(c, t.dim(3), "width");
        int[] k = c.args().pair("kernel");
        int[] s = c.args().pair("stride");
        Padding padding = c.args().padding("padding");
        int[] pad;
        if (padding instanceof Padding.Explicit e) {
            pad = new int[] {e.height(), e.width(), e.height(), e.width()};
        } else if (padding instanceof Padding.Same) {
            pad = samePadding(h, w, k, s);
        } else {
            pad = new int[] {0, 0, 0, 0};
        }
        fits(c, k, pad);
        int filters = c.args().integer("filters");
        int weight = c.param("weight", TensorType.f32(Dim.of(filters), Dim.of(channels), Dim.of(k[0]), Dim.of(k[1])),
                true, CoreLayers.init(c));
        int y = c.emit(new Conv2d(s[0], s[1], pad[0], pad[1], pad[2], pad[3]), c.input(0).id(), weight);
        if (c.args().bool("bias")) {
            y = c.emit(new BiasAdd(1), y, c.param("bias", Shapes.vector(filters), true, "zeros"));
        }
        return c.result(y);
    }

    /** Rejects a window larger than the (padded) image, naming both sizes and where the image came from. */
    private static void fits(LayerCall c, int[] window, int[] pad) throws LayerException {
        Val.Tensor x = c.input(0);
        // In long: padding up to Integer.MAX_VALUE on both sides must not wrap around.
        long h = (long) Shapes.fixed(c, x.type().dim(2), "height") + pad[0] + pad[2];
        long w = (long) Shapes.fixed(c, x.type().dim(3), "width") + pad[1] + pad[3];
        if (window[0] > h || window[1] > w) {
            boolean padded = Arrays.stream(pad).anyMatch(p -> p > 0);
            throw new LayerException("`" + c.name() + "` window " + window[0] + "x" + window[1]
                    + " does not fit the " + h + "x" + w + (padded ? " padded" : "") + " image " + x.type()
                    + " from " + x.producer(),
                    List.of("use a smaller window, or fewer downsampling layers before it"),
                    List.of(x));
        }
    }

    /** TensorFlow's `same`: output = ceil(input / stride); odd padding goes to the bottom and right. */
    private static int[] samePadding(int h, int w, int[] k, int[] s) {
        int totalH = Math.max((ceilDiv(h, s[0]) - 1) * s[0] + k[0] - h, 0);
        int totalW = Math.max((ceilDiv(w, s[1]) - 1) * s[1] + k[1] - w, 0);
        return new int[] {totalH / 2, totalW / 2, totalH - totalH / 2, totalW - totalW / 2};
    }

    private static int ceilDiv(int a, int b) {
        return (int) ((a + (long) b - 1) / b);
    }
}
