package org.dnnc.compiler.memory;

/**
 * One value's place in the arena: {@code bytes} at {@code offset}, live from schedule position
 * {@code start} (where it is computed) to {@code end} (its last use), both inclusive.
 *
 * @param value the node id
 * @param label how dumps name it, e.g. {@code %12 relu}
 */
public record Buffer(int value, String label, long bytes, int start, int end, long offset) {

    public Buffer {
        if (bytes <= 0 || start < 0 || end < start || offset < 0) {
            throw new IllegalArgumentException("bad buffer " + label + ": " + bytes + " bytes, live [" + start + ", "
                    + end + "], offset " + offset);
        }
    }

    /** Whether both are live at some position, so that they may not share bytes. */
    public boolean overlapsInTime(Buffer other) {
        return start <= other.end && other.start <= end;
    }

    /** Whether their byte ranges intersect. */
    public boolean overlapsInSpace(Buffer other) {
        return offset < other.offset + other.bytes && other.offset < offset + bytes;
    }

    Buffer at(long newOffset) {
        return new Buffer(value, label, bytes, start, end, newOffset);
    }
}
