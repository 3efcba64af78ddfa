package org.dnnc.compiler.memory;

/**
 * One buffer's place in the arena: {@code bytes} at {@code offset}, live from schedule position
 * {@code start} to {@code end}, both inclusive.
 *
 * @param value the node id whose value, scratch or saved state this is
 * @param role  what the buffer holds for that node
 * @param label how dumps name it, e.g. {@code %12 relu}
 */
public record Buffer(int value, Role role, String label, long bytes, int start, int end, long offset) {

    /** What a buffer holds for its node, in the order a plan lists buffers that start together. */
    public enum Role {
        /** Working memory of the node's call, live during that call only. */
        SCRATCH,
        /** The node's value: live from where it is computed to its last use. */
        VALUE,
        /**
         * What the node's call saves for the calls of its gradient to read (a recurrent layer's gates
         * and states of every step): live as long as the node's value, which those calls read.
         */
        SAVED
    }

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
        return new Buffer(value, role, label, bytes, start, end, newOffset);
    }
}
