package org.dnnc.runtime.cuda;

/** The bounds rules of carving a view from a block, shared by device and pinned host memory. */
final class Views {

    private Views() {}

    /**
     * Checks that {@code count} 4-byte elements from {@code byteOffset} fit in {@code byteSize}
     * bytes, and returns {@code byteOffset}.
     */
    static long checkRegion(long byteOffset, int count, long byteSize) {
        if (byteOffset % Float.BYTES != 0) {
            throw new IllegalArgumentException("byte offset " + byteOffset + " is not a multiple of " + Float.BYTES);
        }
        long end = byteOffset + (long) count * Float.BYTES;
        if (byteOffset < 0 || count < 0 || end > byteSize) {
            throw new IndexOutOfBoundsException("view [" + byteOffset + ", " + end + ") bytes does not fit in a block of "
                    + byteSize + " bytes");
        }
        return byteOffset;
    }
}
