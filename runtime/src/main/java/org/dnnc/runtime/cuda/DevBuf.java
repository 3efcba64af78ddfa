package org.dnnc.runtime.cuda;

/**
 * A fixed view of {@code size} 4-byte elements of device memory: what every CUDA kernel launcher
 * reads and writes, as {@link org.dnnc.runtime.cpu.Buf} is for host memory. The elements are floats,
 * except for the views a {@link DeviceArena#ints} hands out (class labels, token ids), which kernels
 * read as {@code int}.
 *
 * <p>Views are carved from a {@link DeviceArena} once, when a network is built; a view holds only
 * the device address of its element 0 and its size, so slicing allocates nothing on the device. A
 * view keeps its arena reachable, but must not be used after the arena is closed.
 */
public final class DevBuf {

    private final long address;
    private final int size;
    /** What owns the memory (a {@link DeviceArena}), kept reachable for as long as the view is. */
    private final Object owner;

    DevBuf(long address, int size, Object owner) {
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        this.address = address;
        this.size = size;
        this.owner = owner;
    }

    /** The device address of element 0. */
    public long address() {
        return address;
    }

    /** The number of elements in the view. */
    public int size() {
        return size;
    }

    /** The size in bytes. */
    public long bytes() {
        return (long) size * Float.BYTES;
    }

    /**
     * A view of elements {@code [offset, offset + count)} of this one, sharing its memory: for time
     * steps, concat bands and other sub-tensors. Make these at build time, not per step.
     *
     * @throws IndexOutOfBoundsException if the range does not fit in this view
     */
    public DevBuf slice(int offset, int count) {
        if (offset < 0 || count < 0 || (long) offset + count > size) {
            throw new IndexOutOfBoundsException("slice [" + offset + ", " + ((long) offset + count)
                    + ") does not fit in a device view of " + size + " elements");
        }
        return new DevBuf(address + (long) offset * Float.BYTES, count, owner);
    }

    @Override
    public String toString() {
        return "DevBuf[" + size + " elements at 0x" + Long.toHexString(address) + "]";
    }
}
