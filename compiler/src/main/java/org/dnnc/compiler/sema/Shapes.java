package org.dnnc.compiler.sema;

import java.util.List;
import org.dnnc.compiler.ir.DType;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.sema.LayerCall.LayerException;

/** Shape checks shared by layer rules, with messages in per-example terms. */
final class Shapes {
    private Shapes() {}

    /** The per-example part of a type, as users declare it: {@code [1, 28, 28]}. */
    static String perExample(TensorType t) {
        List<Dim> dims = t.hasBatch() ? t.dims().subList(1, t.rank()) : t.dims();
        return dims.toString().replace(" ", "");
    }

    static void requireFloat(LayerCall c, Val.Tensor x, String what) throws LayerException {
        if (x.type().dtype() != DType.F32) {
            throw new LayerException("`" + c.name() + "` needs " + what + " of floats, got " + x.type()
                    + " from " + x.producer(), List.of("integer inputs are class labels or token ids; use `embedding` for ids"),
                    List.of(x));
        }
    }

    /** Converts a per-example axis (negative counts from the end) to an IR axis that counts the batch. */
    static int irAxis(LayerCall c, TensorType t, int axis) throws LayerException {
        int perExampleRank = t.rank() - (t.hasBatch() ? 1 : 0);
        int a = axis < 0 ? perExampleRank + axis : axis;
        if (a < 0 || a >= perExampleRank) {
            throw new LayerException("`" + c.name() + "`: axis " + axis + " is out of range for a value of shape "
                    + perExample(t) + " per example");
        }
        return a + (t.hasBatch() ? 1 : 0);
    }

    static int fixed(LayerCall c, Dim d, String what) throws LayerException {
        if (d instanceof Dim.Fixed f) {
            return f.size();
        }
        throw new LayerException("`" + c.name() + "` needs a fixed " + what + ", but it is `" + d + "`");
    }

    static TensorType vector(int n) {
        return TensorType.f32(Dim.of(n));
    }
}
