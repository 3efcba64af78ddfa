package org.dnnc.runtime.cpu;

/**
 * Concatenation along one axis and its backward (split), for row-major tensors seen as {@code
 * [outer, inner]}: {@code outer} is the product of the dimensions before the axis, {@code inner}
 * the product of the axis and those after it. Concatenating on the last axis of {@code [N, F]} has
 * {@code outer = N}, {@code inner = F}; on the channels of NCHW, {@code outer = N}, {@code inner =
 * C*H*W}. Each row moves as one {@code memcpy}.
 *
 * <p>More than two inputs: one {@link #place} per input in forward and one {@link #extract} per
 * input in backward, at increasing {@code yOffset}s.
 */
public final class Concat {

    private Concat() {}

    /** {@code y [outer, aInner + bInner] = [a [outer, aInner], b [outer, bInner]]}. */
    public static void forward(Buf a, int aInner, Buf b, int bInner, Buf y, int outer) {
        int yInner = aInner + bInner;
        place(a, aInner, y, yInner, 0, outer);
        place(b, bInner, y, yInner, aInner, outer);
    }

    /** {@code da} and {@code db} are the two bands of {@code dy}; either may be {@code null}. */
    public static void backward(Buf dy, Buf da, int aInner, Buf db, int bInner, int outer) {
        int yInner = aInner + bInner;
        if (da != null) {
            extract(dy, yInner, 0, da, aInner, outer);
        }
        if (db != null) {
            extract(dy, yInner, aInner, db, bInner, outer);
        }
    }

    /** Copies {@code src [outer, srcInner]} into columns {@code [yOffset, yOffset + srcInner)} of {@code y [outer, yInner]}. */
    public static void place(Buf src, int srcInner, Buf y, int yInner, int yOffset, int outer) {
        for (int r = 0; r < outer; r++) {
            y.data.put(r * yInner + yOffset, src.data, r * srcInner, srcInner);
        }
    }

    /** Copies columns {@code [yOffset, yOffset + dstInner)} of {@code y [outer, yInner]} into {@code dst [outer, dstInner]}. */
    public static void extract(Buf y, int yInner, int yOffset, Buf dst, int dstInner, int outer) {
        for (int r = 0; r < outer; r++) {
            dst.data.put(r * dstInner, y.data, r * yInner + yOffset, dstInner);
        }
    }
}
