package org.dnnc.runtime.cuda;

import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.dnnc.runtime.cpu.Buf;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The base of the tests that run kernels on a GPU against their CPU twins: without CUDA every test
 * is reported skipped with {@link Cuda#availability()}'s reason. Device memory comes
 * from one arena per class, handed out front to back and reset before each test.
 */
abstract class GpuTestSupport {

    private static final long ARENA_BYTES = 64L << 20;

    @TempDir
    static Path kernelCache;

    static CudaContext ctx;
    private static DeviceArena arena;
    private static long used;

    final Random random = new Random(20261206);

    @BeforeAll
    static void openContext() {
        if (Cuda.availability().present()) {
            ctx = CudaContext.open(CudaOptions.builder().kernelCache(kernelCache).build());
            arena = ctx.arena(ARENA_BYTES);
        }
    }

    @AfterAll
    static void closeContext() {
        if (ctx != null) {
            ctx.close();
            ctx = null;
        }
    }

    /** Each test, not the class, is skipped, so that every one is reported with the reason. */
    @BeforeEach
    void requireGpuAndResetMemory() {
        Cuda.Availability a = Cuda.availability();
        assumeTrue(a.present(), "needs a CUDA GPU: " + a.reason());
        used = 0;
    }

    /** A fresh device view of {@code n} floats (NaN-filled, so that an unwritten element shows). */
    static DevBuf device(int n) {
        DevBuf d = arena.floats(used, n);
        used = DeviceArena.align(used + (long) n * Float.BYTES);
        float[] nans = new float[n];
        java.util.Arrays.fill(nans, Float.NaN);
        ctx.upload(Buf.of(nans), d);
        return d;
    }

    /** A device copy of {@code values}. */
    static DevBuf device(float[] values) {
        DevBuf d = device(values.length);
        ctx.upload(Buf.of(values), d);
        return d;
    }

    /** A device copy of the host view. */
    static DevBuf device(Buf values) {
        return device(values.toArray());
    }

    /** A device int view holding {@code values}. */
    static DevBuf deviceInts(int[] values) {
        DevBuf d = arena.ints(used, values.length);
        used = DeviceArena.align(used + (long) values.length * Integer.BYTES);
        ctx.upload(hostInts(values), d);
        return d;
    }

    /** A fresh device int view of {@code n} ints. */
    static DevBuf arenaInts(int n) {
        DevBuf d = arena.ints(used, n);
        used = DeviceArena.align(used + (long) n * Integer.BYTES);
        return d;
    }

    /** A direct int buffer holding {@code values}, as the CPU twins take labels. */
    static IntBuffer hostInts(int[] values) {
        IntBuffer b = ByteBuffer.allocateDirect(values.length * Integer.BYTES).order(ByteOrder.nativeOrder()).asIntBuffer();
        b.put(0, values);
        return b;
    }

    /** The device view's contents (waits for the queued work). */
    static float[] host(DevBuf d) {
        Buf b = Buf.allocate(d.size());
        ctx.download(d, b);
        return b.toArray();
    }

    /** {@code n} uniform values in {@code [-scale, scale)}. */
    float[] uniform(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (random.nextFloat() * 2 - 1) * scale;
        }
        return v;
    }

    /** Asserts element-wise agreement within {@code abs + rel * |expected|}. */
    static void assertClose(String what, float[] expected, float[] actual, float abs, float rel) {
        assertWithMessage("%s: length", what).that(actual.length).isEqualTo(expected.length);
        for (int i = 0; i < expected.length; i++) {
            float tol = abs + rel * Math.abs(expected[i]);
            if (!(Math.abs(expected[i] - actual[i]) <= tol) && !(Float.isNaN(expected[i]) && Float.isNaN(actual[i]))) {
                assertWithMessage("%s[%s]: CPU %s, GPU %s (tolerance %s)", what, i, expected[i], actual[i], tol).fail();
            }
        }
    }

    /** {@link #assertClose} with the tolerance of FP32 kernels against their CPU twins: 1e-6 absolute, 1e-5 relative. */
    static void assertClose(String what, Buf expected, DevBuf actual) {
        assertClose(what, expected.toArray(), host(actual), 1e-6f, 1e-5f);
    }
}
