package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ElementwiseChainTest {

    /** A residual add's gradient through a ReLU, as generated code spells it: {@code (b > 0 ? a : 0) + c}. */
    private static final ElementwiseChain.Body RELU_ADD = (ins, outs, from, length) -> {
        float[] in0 = ins[0];
        float[] in1 = ins[1];
        float[] in2 = ins[2];
        for (int j = 0; j < length; j++) {
            outs[j] = ElementwiseChain.positive(in1[j], in0[j], 0f) + in2[j];
        }
    };

    private static float[] values(int n, long seed) {
        Rng rng = new Rng(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return v;
    }

    /** Sizes around the chunk and the split: every chunk boundary and an uneven split are crossed. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aChainGivesThePlainLoopsFloatsOnEitherSideOfTheChunkAndTheSplit(int threads) {
        int[] sizes = {0, 1, ElementwiseChain.CHUNK - 1, ElementwiseChain.CHUNK, ElementwiseChain.CHUNK + 1,
            ElementwiseChain.SPLIT_FROM - 1, ElementwiseChain.SPLIT_FROM + 3, 3 * ElementwiseChain.SPLIT_FROM + 17};
        InContext.run(threads, () -> {
            for (int n : sizes) {
                float[] a = values(n, 1);
                float[] b = values(n, 2);
                float[] c = values(n, 3);
                Buf out = Buf.allocate(n + 5);
                out.data.put(n, new float[] {7f, 7f, 7f, 7f, 7f});
                ElementwiseChain.run(RELU_ADD, 0, 0, out, n, Buf.of(a), Buf.of(b), Buf.of(c));
                for (int i = 0; i < n; i++) {
                    float expected = (b[i] > 0f ? a[i] : 0f) + c[i];
                    assertWithMessage("size %s at %s", n, i).that(out.get(i)).isEqualTo(expected);
                }
                assertWithMessage("past the size").that(out.get(n + 4)).isEqualTo(7f);
            }
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aChainMayWriteOverAnOperand(int threads) {
        int n = 2 * ElementwiseChain.SPLIT_FROM + 5;
        float[] a = values(n, 4);
        float[] b = values(n, 5);
        float[] c = values(n, 6);
        Buf inPlace = Buf.of(a.clone());
        InContext.run(threads, () -> ElementwiseChain.run(RELU_ADD, 0, 0, inPlace, n, inPlace, Buf.of(b), Buf.of(c)));
        for (int i = 0; i < n; i++) {
            assertWithMessage("at %s", i).that(inPlace.get(i)).isEqualTo((b[i] > 0f ? a[i] : 0f) + c[i]);
        }
    }

    /** {@code x + bias[channel]} over {@code [N, C, P]}: a per-channel operand, read at each element's channel. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aPerChannelOperandIsReadAtEachElementsChannel(int threads) {
        int channels = 3;
        int spatial = 1000;
        int n = 20 * channels * spatial;
        ElementwiseChain.Body biasAdd = (ins, outs, from, length) -> {
            float[] in0 = ins[0];
            float[] in1 = ins[1];
            for (int j = 0; j < length; j++) {
                outs[j] = in0[j] + in1[((from + j) / spatial) % channels];
            }
        };
        float[] x = values(n, 7);
        float[] bias = {0.5f, -2f, 3.25f};
        Buf out = Buf.allocate(n);
        InContext.run(threads, () -> ElementwiseChain.run(biasAdd, 0b10, channels, out, n, Buf.of(x), Buf.of(bias)));
        for (int i = 0; i < n; i++) {
            assertWithMessage("at %s", i).that(out.get(i)).isEqualTo(x[i] + bias[(i / spatial) % channels]);
        }
    }

    @Test
    void moreThanFourOperandsGoThroughTheArrayOverload() {
        int n = ElementwiseChain.CHUNK * 3 + 1;
        float[][] v = new float[5][];
        Buf[] bufs = new Buf[5];
        for (int k = 0; k < 5; k++) {
            v[k] = values(n, 10 + k);
            bufs[k] = Buf.of(v[k]);
        }
        ElementwiseChain.Body sum = (ins, outs, from, length) -> {
            for (int j = 0; j < length; j++) {
                outs[j] = (((ins[0][j] + ins[1][j]) + ins[2][j]) + ins[3][j]) + ins[4][j];
            }
        };
        Buf out = Buf.allocate(n);
        InContext.run(2, () -> ElementwiseChain.run(sum, 0, 0, out, n, bufs));
        for (int i = 0; i < n; i++) {
            assertThat(out.get(i)).isEqualTo(v[0][i] + v[1][i] + v[2][i] + v[3][i] + v[4][i]);
        }
    }

    @Test
    void positiveIsTheConditionalOnEveryKindOfFloat() {
        float[] tests = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1f, -1f, Float.MAX_VALUE,
            -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
            Float.intBitsToFloat(0xffc00000), Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0xff800001)};
        float[] sides = {2.5f, -0f, 0f, Float.NaN, Float.NEGATIVE_INFINITY, -Float.MIN_VALUE};
        for (float test : tests) {
            for (float then : sides) {
                for (float otherwise : sides) {
                    float expected = test > 0f ? then : otherwise;
                    assertWithMessage("positive(%s, %s, %s)", test, then, otherwise)
                            .that(Float.floatToRawIntBits(ElementwiseChain.positive(test, then, otherwise)))
                            .isEqualTo(Float.floatToRawIntBits(expected));
                }
            }
        }
    }

    @Test
    void aViewSmallerThanTheSizeIsRefusedByName() {
        Buf small = Buf.allocate(3);
        Buf big = Buf.allocate(10);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> ElementwiseChain.run(RELU_ADD, 0, 0, big, 10, big, small, big));
        assertThat(e).hasMessageThat().isEqualTo("operand 1 needs 10 floats but its view holds 3");
        e = assertThrows(IndexOutOfBoundsException.class, () -> ElementwiseChain.run(RELU_ADD, 0, 0, small, 10, big,
                big, big));
        assertThat(e).hasMessageThat().isEqualTo("the result needs 10 floats but its view holds 3");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void callsOfUpToFourOperandsAllocateNothing(int threads) {
        int n = 2 * ElementwiseChain.SPLIT_FROM;
        Buf a = Buf.of(values(n, 20));
        Buf b = Buf.of(values(n, 21));
        Buf out = Buf.allocate(n);
        InContext.run(threads, () -> {
            Runnable call = () -> {
                ElementwiseChain.run(RELU_ADD, 0, 0, out, n, a, b, out);
                Elementwise.add(a, b, out, n);
                Elementwise.mul(a, out, out, n);
            };
            assertThat(Allocations.perRun(call, 500)).isLessThan(16L);
        });
    }
}
