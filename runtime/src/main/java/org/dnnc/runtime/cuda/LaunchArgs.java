package org.dnnc.runtime.cuda;

import org.bytedeco.javacpp.LongPointer;

/**
 * The arguments of one kernel launch, in the order of the kernel's parameters: device views, ints
 * and floats. A context owns one, reused by every launch ({@link CudaContext#args()} clears it), so
 * a launch allocates nothing: each argument is written into its own 8-byte native slot and the
 * launch passes the array of slot addresses, which {@code cuLaunchKernel} reads before returning.
 *
 * <p>Not thread-safe: a context is driven by one thread at a time.
 */
public final class LaunchArgs {

    /** The most parameters a kernel may take. */
    public static final int MAX = 32;

    private final LongPointer slots = new LongPointer(MAX);
    /** {@code void* params[MAX]}, each aimed at its slot once and for all. */
    final LongPointer params = new LongPointer(MAX);
    /** The kind of each argument ('p' pointer, 'i' int, 'f' float), for checks against kernel signatures. */
    private final char[] kinds = new char[MAX];
    private int count;

    LaunchArgs() {
        for (int i = 0; i < MAX; i++) {
            params.put(i, slots.address() + (long) i * Long.BYTES);
        }
    }

    /** Forgets the arguments of the previous launch. */
    LaunchArgs clear() {
        count = 0;
        return this;
    }

    /** How many arguments are set. */
    int count() {
        return count;
    }

    /** A {@code float*} or {@code int*} parameter: the view's device address, or {@code nullptr} for {@code null}. */
    public LaunchArgs ptr(DevBuf view) {
        return slot(view == null ? 0L : view.address(), 'p');
    }

    /** An {@code int} parameter. */
    public LaunchArgs i(int value) {
        // Little-endian: the kernel reads the int from the slot's first four bytes.
        return slot(value & 0xffffffffL, 'i');
    }

    /** A {@code float} parameter. */
    public LaunchArgs f(float value) {
        return slot(Float.floatToRawIntBits(value) & 0xffffffffL, 'f');
    }

    /** The kinds of the arguments set, in order: 'p' pointer, 'i' int, 'f' float (for example {@code "ppi"}). */
    public String signature() {
        return new String(kinds, 0, count);
    }

    /**
     * The raw 8 bytes of argument {@code index}: a pointer's device address (0 for {@code nullptr}),
     * an int's or a float's bits; for recording contexts' checks of what a launch passed.
     *
     * @throws IndexOutOfBoundsException if no such argument is set
     */
    public long bits(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("argument " + index + " of a launch with " + count);
        }
        return slots.get(index);
    }

    private LaunchArgs slot(long bits, char kind) {
        if (count == MAX) {
            throw new IllegalStateException("a kernel launch takes at most " + MAX + " arguments");
        }
        kinds[count] = kind;
        slots.put(count++, bits);
        return this;
    }
}
