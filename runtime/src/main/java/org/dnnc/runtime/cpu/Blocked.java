package org.dnnc.runtime.cpu;

/**
 * Reorders of examples between {@link Layout#NCHW} and {@link Layout#NCHW16C}, for the calls that
 * fall back to dnnc's own kernels on blocked operands, and where a channel starts in an example,
 * which lets {@link BatchNorm} and {@link BatchNormPool} run on either layout.
 */
final class Blocked {
    private static final int FROM = 16;
    private static final int TO = 17;

    private Blocked() {}

    /** Example {@code n} of blocked {@code src} into NCHW {@code dst} (offset {@code at}). */
    static void toNchw(Buf src, int n, Buf dst, int at, int channels, int spatial) {
        int size = channels * spatial;
        Staging s = Staging.get();
        float[] a = s.floats(FROM, size);
        float[] b = s.floats(TO, size);
        src.data.get(n * size, a, 0, size);
        for (int cb = 0; cb < channels; cb += Layout.BLOCK) {
            int block = cb * spatial;
            for (int p = 0; p < spatial; p++) {
                int from = block + p * Layout.BLOCK;
                for (int l = 0; l < Layout.BLOCK; l++) {
                    b[block + l * spatial + p] = a[from + l];
                }
            }
        }
        dst.data.put(at, b, 0, size);
    }

    /** NCHW {@code src} (offset {@code at}) into example {@code n} of blocked {@code dst}. */
    static void fromNchw(Buf src, int at, Buf dst, int n, int channels, int spatial) {
        int size = channels * spatial;
        Staging s = Staging.get();
        float[] a = s.floats(FROM, size);
        float[] b = s.floats(TO, size);
        src.data.get(at, a, 0, size);
        for (int cb = 0; cb < channels; cb += Layout.BLOCK) {
            int block = cb * spatial;
            for (int p = 0; p < spatial; p++) {
                int to = block + p * Layout.BLOCK;
                for (int l = 0; l < Layout.BLOCK; l++) {
                    b[to + l] = a[block + l * spatial + p];
                }
            }
        }
        dst.data.put(n * size, b, 0, size);
    }

    /** The position of channel {@code c}'s first value in an example in {@code layout}. */
    static int first(Layout layout, int c, int spatial) {
        return layout == Layout.NCHW ? c * spatial : c / Layout.BLOCK * Layout.BLOCK * spatial + c % Layout.BLOCK;
    }
}
