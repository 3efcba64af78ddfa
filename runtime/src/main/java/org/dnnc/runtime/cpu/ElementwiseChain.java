package org.dnnc.runtime.cpu;

import java.util.Arrays;

/**
 * Runs a fused element-wise chain that generated code spells out as a {@link Body}: a residual
 * add's gradient through a ReLU, a dropout mask times a ReLU's gradient, and the like. The runtime
 * moves the operands in chunks of {@link #CHUNK} floats between the views and per-thread heap
 * arrays, where the body's loop runs over plain arrays (HotSpot compiles it to straight loads and
 * stores, as it does not for {@code FloatBuffer} access), and splits large calls over the two
 * threads of the current {@link CpuContext} ({@link Workers}).
 *
 * <p>The result may be the same view as an operand (a chain computed in place): each chunk of every
 * operand is read before the chunk of the result is written. A per-channel operand (a vector
 * {@code [C]} over axis 1 of an {@code [N, C, ...]} result, named by a bit of {@code perChannel})
 * is staged whole, and the body reads it at each element's channel. Calls of up to four operands
 * allocate nothing.
 */
public final class ElementwiseChain {

    /** Elements per chunk: a few operands' chunks and the result's stay in L1. */
    static final int CHUNK = 2048;

    /**
     * Elements from which a call splits over two threads. A three-operand ReLU chain takes about 1 ns
     * per element on one thread (16,384: 16.3 us; split, 8.6 us while the helper still spins). A
     * parked helper takes microseconds to wake, which smaller calls would not win back.
     */
    static final int SPLIT_FROM = 16_384;

    private static final ThreadLocal<Job> JOB = ThreadLocal.withInitial(Job::new);
    private static final ThreadLocal<float[][]> STAGE = ThreadLocal.withInitial(() -> new float[0][]);

    private ElementwiseChain() {}

    /** The arithmetic of one chain, applied to one chunk of its operands. */
    @FunctionalInterface
    public interface Body {
        /**
         * Writes {@code out[j]} for {@code j < length} from {@code in[k][j]}, the elements {@code
         * start + j} of operand {@code k}; a per-channel operand's array holds its whole vector, so
         * the body reads element {@code start + j}'s channel of it.
         */
        void apply(float[][] in, float[] out, int start, int length);
    }

    /**
     * {@code out[i] = chain(a[i])} for {@code i < size}; {@code perChannel} names per-channel
     * operands by bit (bit {@code k} for operand {@code k}), vectors of {@code channels} floats.
     */
    public static void run(Body body, int perChannel, int channels, Buf out, int size, Buf a) {
        Job job = JOB.get();
        job.operands(1)[0] = a;
        job.run(body, perChannel, channels, out, size, 1);
    }

    /** As {@link #run(Body, int, int, Buf, int, Buf)} with operands {@code a, b}. */
    public static void run(Body body, int perChannel, int channels, Buf out, int size, Buf a, Buf b) {
        Job job = JOB.get();
        Buf[] ops = job.operands(2);
        ops[0] = a;
        ops[1] = b;
        job.run(body, perChannel, channels, out, size, 2);
    }

    /** As {@link #run(Body, int, int, Buf, int, Buf)} with operands {@code a, b, c}. */
    public static void run(Body body, int perChannel, int channels, Buf out, int size, Buf a, Buf b, Buf c) {
        Job job = JOB.get();
        Buf[] ops = job.operands(3);
        ops[0] = a;
        ops[1] = b;
        ops[2] = c;
        job.run(body, perChannel, channels, out, size, 3);
    }

    /** As {@link #run(Body, int, int, Buf, int, Buf)} with operands {@code a, b, c, d}. */
    public static void run(Body body, int perChannel, int channels, Buf out, int size, Buf a, Buf b, Buf c,
            Buf d) {
        Job job = JOB.get();
        Buf[] ops = job.operands(4);
        ops[0] = a;
        ops[1] = b;
        ops[2] = c;
        ops[3] = d;
        job.run(body, perChannel, channels, out, size, 4);
    }

    /** As {@link #run(Body, int, int, Buf, int, Buf)} with any number of operands. */
    public static void run(Body body, int perChannel, int channels, Buf out, int size, Buf... operands) {
        Job job = JOB.get();
        System.arraycopy(operands, 0, job.operands(operands.length), 0, operands.length);
        job.run(body, perChannel, channels, out, size, operands.length);
    }

    /**
     * {@code test > 0 ? then : otherwise}, the same float for every input (NaN tests included),
     * without a branch: the sign of a ReLU's input flips at random from element to element, and a
     * branch on it was mispredicted about half the time (0.9 against 0.5 ns per element of a
     * three-operand chain on one thread).
     */
    public static float positive(float test, float then, float otherwise) {
        int b = Float.floatToRawIntBits(test);
        // All ones where 0 < b <= the bits of +infinity: the positive floats, no NaN.
        int mask = (-b & ~b) >> 31 & (b - 0x7f800001) >> 31;
        return Float.intBitsToFloat(Float.floatToRawIntBits(then) & mask | Float.floatToRawIntBits(otherwise) & ~mask);
    }

    /** One call's arguments, kept per calling thread, so that handing half to the helper allocates nothing. */
    private static final class Job implements Workers.Parts {
        private Buf[] operands = new Buf[4];
        private int count;
        private Body body;
        private int perChannel;
        private int channels;
        private Buf out;
        private int size;

        Buf[] operands(int n) {
            if (operands.length < n) {
                operands = new Buf[n];
            }
            return operands;
        }

        void run(Body body, int perChannel, int channels, Buf out, int size, int count) {
            try {
                if (size < 0) {
                    throw new IllegalArgumentException("negative size " + size);
                }
                check(out, -1, size);
                for (int k = 0; k < count; k++) {
                    check(operands[k], k, (perChannel >>> k & 1) != 0 ? channels : size);
                }
                this.body = body;
                this.perChannel = perChannel;
                this.channels = channels;
                this.out = out;
                this.size = size;
                this.count = count;
                if (size >= SPLIT_FROM && Workers.threads() >= 2) {
                    Workers.runTwo(this);
                } else {
                    range(0, size);
                }
            } finally {
                // A finished call keeps no views alive.
                Arrays.fill(operands, 0, count, null);
                this.body = null;
                this.out = null;
            }
        }

        @Override
        public void run(int part, int parts) {
            range((int) ((long) size * part / parts), (int) ((long) size * (part + 1) / parts));
        }

        private void range(int from, int to) {
            float[][] in = stage(count + 1, Math.max(CHUNK, channels));
            float[] result = in[count];
            for (int k = 0; k < count; k++) {
                if ((perChannel >>> k & 1) != 0) {
                    operands[k].data.get(0, in[k], 0, channels);
                }
            }
            for (int start = from; start < to; start += CHUNK) {
                int length = Math.min(CHUNK, to - start);
                for (int k = 0; k < count; k++) {
                    if ((perChannel >>> k & 1) == 0) {
                        operands[k].data.get(start, in[k], 0, length);
                    }
                }
                body.apply(in, result, start, length);
                out.data.put(start, result, 0, length);
            }
        }
    }

    /** This thread's staging arrays: at least {@code arrays} of at least {@code floats} each. */
    private static float[][] stage(int arrays, int floats) {
        float[][] stage = STAGE.get();
        if (stage.length < arrays || stage[0].length < floats) {
            int length = Math.max(floats, stage.length == 0 ? 0 : stage[0].length);
            stage = new float[Math.max(arrays, stage.length)][length];
            STAGE.set(stage);
        }
        return stage;
    }

    /** That view {@code b}, operand {@code k} (the result for -1), holds {@code needed} floats. */
    private static void check(Buf b, int k, int needed) {
        if (b.size < needed) {
            throw new IndexOutOfBoundsException((k < 0 ? "the result" : "operand " + k) + " needs " + needed
                    + " floats but its view holds " + b.size);
        }
    }
}
