package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;
import static com.google.common.truth.Truth.assertWithMessage;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The kernels on operands in {@link Layout#NCHW16C}: the reorders against the layout's formula;
 * batch norm and global average pooling against themselves on NCHW (batch norm to the bit, since
 * it sums each channel's positions in the same order); every convolution pass with each mix of
 * layouts against the naive convolution in double, through oneDNN in a context of OpenMP's team's
 * size and through the fallback in a context of another size.
 */
class BlockedLayoutTest {

    private final Rng rng = new Rng(61);

    private static int team() {
        return OneDnn.team(System.getenv("OMP_NUM_THREADS"), Runtime.getRuntime().availableProcessors());
    }

    @Test
    void reordersFollowTheLayoutFormula() {
        int channels = 32;
        int spatial = 6;
        int batch = 2;
        Buf nchw = random(batch * channels * spatial);
        Buf blocked = toBlocked(nchw, batch, channels, spatial);
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < spatial; p++) {
                    int b = ((n * channels / 16 + c / 16) * spatial + p) * 16 + c % 16;
                    assertThat(blocked.get(b)).isEqualTo(nchw.get((n * channels + c) * spatial + p));
                    assertThat(Blocked.first(Layout.NCHW16C, c, spatial) + p * 16).isEqualTo(b - n * channels * spatial);
                }
            }
        }
        assertThat(toNchw(blocked, batch, channels, spatial).toArray()).isEqualTo(nchw.toArray());
    }

    @Test
    void batchNormOnBlockedActivationsMatchesTheNchwOne() {
        int channels = 32;
        int spatial = 9;
        int other = team() == 1 ? 2 : 1;
        for (int threads : new int[] {team(), other}) {
            // dnnc's kernels sum each channel's positions in the same order on either layout;
            // oneDNN's run where it may, to float rounding.
            boolean exact = threads != team() || OneDnn.failure() != null;
            for (boolean relu : new boolean[] {false, true}) {
                for (boolean residual : new boolean[] {false, true}) {
                    int batch = 5;
                    int size = batch * channels * spatial;
                    Buf x = random(size);
                    Buf r = residual ? random(size) : null;
                    Buf dy = random(size);
                    Buf gamma = random(channels);
                    Buf beta = random(channels);
                    Run plain = new Run(channels, size);
                    Run blocked = new Run(channels, size);
                    InContext.run(threads, () -> {
                        plain.forwardAndBack(x, r, dy, gamma, beta, batch, spatial, relu, Layout.NCHW);
                        blocked.forwardAndBack(toBlocked(x, batch, channels, spatial),
                                r == null ? null : toBlocked(r, batch, channels, spatial),
                                toBlocked(dy, batch, channels, spatial), gamma, beta, batch, spatial, relu,
                                Layout.NCHW16C);
                    });
                    String what = threads + " threads, relu " + relu + ", residual " + residual;
                    same(what + " y", toNchw(blocked.y, batch, channels, spatial), plain.y, exact);
                    same(what + " dx", toNchw(blocked.dx, batch, channels, spatial), plain.dx, exact);
                    same(what + " dgamma", blocked.dgamma, plain.dgamma, exact);
                    same(what + " dbeta", blocked.dbeta, plain.dbeta, exact);
                    same(what + " saved", blocked.saved, plain.saved, exact);
                    same(what + " running mean", blocked.runningMean, plain.runningMean, exact);
                    same(what + " running var", blocked.runningVar, plain.runningVar, exact);
                }
            }
        }
    }

    @Test
    void eitherBatchNormPassRunsAfterTheOther() {
        assumeTrue(OneDnn.failure() == null, () -> "oneDNN did not load on this platform: " + OneDnn.failure());
        int channels = 16;
        int spatial = 4;
        int batch = 6;
        int size = batch * channels * spatial;
        Buf x = toBlocked(random(size), batch, channels, spatial);
        Buf dy = toBlocked(random(size), batch, channels, spatial);
        Buf gamma = random(channels);
        Buf beta = random(channels);
        Run viaOneDnn = new Run(channels, size);
        Run viaJava = new Run(channels, size);
        // Forward in oneDNN, backward in dnnc's kernels (accumulating, which oneDNN's pass does not do).
        InContext.run(team(), () -> {
            BatchNorm.forwardTraining(x, gamma, beta, null, null, viaOneDnn.y, viaOneDnn.saved, null, batch, channels,
                    spatial, 0.1f, 1e-5f, true, Layout.NCHW16C);
            BatchNorm.backward(x, viaOneDnn.y, dy, gamma, viaOneDnn.saved, viaOneDnn.dx, viaOneDnn.dgamma,
                    viaOneDnn.dbeta, batch, channels, spatial, 1e-5f, true, true, true, Layout.NCHW16C);
        });
        InContext.run(team() == 1 ? 2 : 1, () -> {
            BatchNorm.forwardTraining(x, gamma, beta, null, null, viaJava.y, viaJava.saved, null, batch, channels,
                    spatial, 0.1f, 1e-5f, true, Layout.NCHW16C);
            BatchNorm.backward(x, viaJava.y, dy, gamma, viaJava.saved, viaJava.dx, viaJava.dgamma, viaJava.dbeta,
                    batch, channels, spatial, 1e-5f, true, true, true, Layout.NCHW16C);
        });
        same("y", viaOneDnn.y, viaJava.y, false);
        same("dx", viaOneDnn.dx, viaJava.dx, false);
        same("dgamma", viaOneDnn.dgamma, viaJava.dgamma, false);
        same("dbeta", viaOneDnn.dbeta, viaJava.dbeta, false);
    }

    @Test
    void twoLayersOfOneShapeKeepTheirOwnReluMasks() {
        int channels = 16;
        int spatial = 9;
        int batch = 4;
        int size = batch * channels * spatial;
        Buf[] x = {toBlocked(random(size), batch, channels, spatial), toBlocked(random(size), batch, channels, spatial)};
        Buf dy = toBlocked(random(size), batch, channels, spatial);
        Buf gamma = random(channels);
        Buf beta = random(channels);
        Run[] viaOneDnn = {new Run(channels, size), new Run(channels, size)};
        Run[] viaJava = {new Run(channels, size), new Run(channels, size)};
        int other = team() == 1 ? 2 : 1;
        for (int threads : new int[] {team(), other}) {
            Run[] runs = threads == team() ? viaOneDnn : viaJava;
            // Both forward passes, then both backward passes in reverse, as a training step runs them.
            InContext.run(threads, () -> {
                for (int i = 0; i < 2; i++) {
                    BatchNorm.forwardTraining(x[i], gamma, beta, null, null, runs[i].y, runs[i].saved, null, batch,
                            channels, spatial, 0.1f, 1e-5f, true, Layout.NCHW16C);
                }
                for (int i = 1; i >= 0; i--) {
                    BatchNorm.backward(x[i], runs[i].y, dy, gamma, runs[i].saved, runs[i].dx, runs[i].dgamma,
                            runs[i].dbeta, batch, channels, spatial, 1e-5f, true, false, false, Layout.NCHW16C);
                }
            });
        }
        for (int i = 0; i < 2; i++) {
            same("layer " + i + " dx", viaOneDnn[i].dx, viaJava[i].dx, false);
            same("layer " + i + " dgamma", viaOneDnn[i].dgamma, viaJava[i].dgamma, false);
        }
    }

    private static void same(String what, Buf actual, Buf expected, boolean exact) {
        if (exact) {
            assertWithMessage(what).that(actual.toArray()).isEqualTo(expected.toArray());
        } else {
            Close.check(what, actual.toArray(), expected.toArray(), 1e-4, 1e-4);
        }
    }

    @Test
    void batchNormPoolingOnBlockedActivationsIsTheNchwOneToTheBit() {
        int batch = 5;
        // 2x2 windows tiling the map and not (7x7), and overlapping padded ones (gathered per plane).
        for (PoolGeometry g : new PoolGeometry[] {PoolGeometry.of(16, 8, 8, 2, 2), PoolGeometry.of(32, 7, 7, 2, 2),
                new PoolGeometry(16, 9, 9, 3, 3, 2, 2, 1, 1)}) {
            int channels = g.channels();
            int spatial = g.height() * g.width();
            int pooled = g.outHeight() * g.outWidth();
            Buf x = random(batch * channels * spatial);
            Buf dp = random(batch * channels * pooled);
            Buf gamma = random(channels);
            Buf beta = random(channels);
            for (Layout in : List.of(Layout.NCHW, Layout.NCHW16C)) {
                for (Layout out : List.of(Layout.NCHW, Layout.NCHW16C)) {
                    Buf[] plain = poolRun(g, x, dp, gamma, beta, batch, Layout.NCHW, Layout.NCHW);
                    Buf[] mixed = poolRun(g, in == Layout.NCHW ? x : toBlocked(x, batch, channels, spatial),
                            out == Layout.NCHW ? dp : toBlocked(dp, batch, channels, pooled), gamma, beta, batch, in,
                            out);
                    String what = g + " " + in + " -> " + out;
                    assertWithMessage(what).that((out == Layout.NCHW ? mixed[0]
                            : toNchw(mixed[0], batch, channels, pooled)).toArray()).isEqualTo(plain[0].toArray());
                    assertWithMessage(what).that((in == Layout.NCHW ? mixed[1]
                            : toNchw(mixed[1], batch, channels, spatial)).toArray()).isEqualTo(plain[1].toArray());
                    assertWithMessage(what).that(mixed[2].toArray()).isEqualTo(plain[2].toArray());
                    assertWithMessage(what).that(mixed[3].toArray()).isEqualTo(plain[3].toArray());
                }
            }
        }
    }

    /** {@code {p, dx, dgamma, dbeta}} of a fused batchnorm, ReLU and max pooling, on two threads. */
    private static Buf[] poolRun(PoolGeometry g, Buf x, Buf dp, Buf gamma, Buf beta, int batch, Layout in,
            Layout out) {
        int channels = g.channels();
        Buf p = Buf.allocate(batch * channels * g.outHeight() * g.outWidth());
        Buf dx = Buf.allocate(x.size());
        Buf dgamma = Buf.allocate(channels);
        Buf dbeta = Buf.allocate(channels);
        Buf saved = Buf.allocate(2 * channels);
        InContext.run(2, () -> {
            BatchNormPool.forwardTraining(x, gamma, beta, null, null, g, p, saved, batch, 0.1f, 1e-5f, in, out);
            BatchNormPool.backward(x, dp, gamma, beta, saved, g, dx, dgamma, dbeta, batch, 1e-5f, in, out);
        });
        return new Buf[] {p, dx, dgamma, dbeta};
    }

    @Test
    void theBiasGradientOfBlockedActivationsIsTheNchwOneToTheBit() {
        int channels = 32;
        int spatial = 10;
        int batch = 37;
        Buf dz = random(batch * channels * spatial);
        for (int threads : new int[] {1, 2}) {
            Buf db = Buf.allocate(channels);
            Buf dbBlocked = Buf.allocate(channels);
            InContext.run(threads, () -> {
                Conv2d.backwardBias(dz, db, batch, channels, spatial, false);
                Conv2d.backwardBias(toBlocked(dz, batch, channels, spatial), dbBlocked, batch, channels, spatial,
                        false, Layout.NCHW16C);
            });
            assertWithMessage(threads + " threads").that(dbBlocked.toArray()).isEqualTo(db.toArray());
        }
    }

    @Test
    void globalAveragePoolingOnBlockedActivations() {
        int channels = 48;
        int spatial = 16;
        // 6 x 48 planes: enough for two threads to take three examples each.
        int batch = 6;
        Buf x = random(batch * channels * spatial);
        Buf dy = random(batch * channels);
        Buf y = Buf.allocate(batch * channels);
        GlobalAvgPool.forward(x, y, batch, channels, spatial);
        Buf dx = random(batch * channels * spatial);
        Buf dxSet = Buf.allocate(batch * channels * spatial);
        Buf dxAdded = Buf.of(dx.toArray());
        GlobalAvgPool.backward(dy, dxSet, batch, channels, spatial, false);
        GlobalAvgPool.backward(dy, dxAdded, batch, channels, spatial, true);
        for (int threads : new int[] {1, 2}) {
            Buf yBlocked = Buf.allocate(batch * channels);
            Buf dxSetBlocked = random(batch * channels * spatial);
            Buf dxAddedBlocked = toBlocked(dx, batch, channels, spatial);
            InContext.run(threads, () -> {
                GlobalAvgPool.forward(toBlocked(x, batch, channels, spatial), yBlocked, batch, channels, spatial,
                        Layout.NCHW16C);
                GlobalAvgPool.backward(dy, dxSetBlocked, batch, channels, spatial, false, Layout.NCHW16C);
                GlobalAvgPool.backward(dy, dxAddedBlocked, batch, channels, spatial, true, Layout.NCHW16C);
            });
            // Summed in float here, in double partial sums on NCHW: 16 unit Gaussians a plane.
            Close.check(threads + " threads, forward", yBlocked.toArray(), y.toArray(), 1e-5, 1e-6);
            assertWithMessage(threads + " threads, backward")
                    .that(toNchw(dxSetBlocked, batch, channels, spatial).toArray()).isEqualTo(dxSet.toArray());
            assertWithMessage(threads + " threads, backward accumulating")
                    .that(toNchw(dxAddedBlocked, batch, channels, spatial).toArray()).isEqualTo(dxAdded.toArray());
        }
    }

    @Test
    void everyConvolutionPassWithBlockedOperandsMatchesTheNaiveOne() {
        int batch = 3;
        int other = team() == 1 ? 2 : 1;
        for (ConvGeometry g : ConvAlgorithmTest.SHAPES) {
            for (Layout in : layouts(g.channels())) {
                for (Layout out : layouts(g.filters())) {
                    if (in == Layout.NCHW && out == Layout.NCHW) {
                        continue;
                    }
                    Buf x = random(batch * g.inputSize());
                    Buf w = random(g.weightSize());
                    Buf b = random(g.filters());
                    Buf dz = random(batch * g.outputSize());
                    float[] y = DirectConv.forward(g, x.toArray(), w.toArray(), b.toArray(), batch);
                    double[][] grads = DirectConv.backward(g, x.toArray(), w.toArray(), dz.toArray(), batch);
                    int hw = g.height() * g.width();
                    int ohw = g.outHeight() * g.outWidth();
                    Buf xIn = in == Layout.NCHW ? x : toBlocked(x, batch, g.channels(), hw);
                    Buf dzOut = out == Layout.NCHW ? dz : toBlocked(dz, batch, g.filters(), ohw);
                    Buf scratch = Buf.allocate(Conv2d.layoutScratchFloats(g, in, out) + Conv2d.scratchFloats(g, 2));
                    for (int threads : new int[] {team(), other}) {
                        boolean oneDnn = threads == team() && OneDnn.failure() == null;
                        String what = g + " " + in + " -> " + out + (oneDnn ? " through oneDNN" : " by the fallback");
                        Buf yOut = Buf.allocate(batch * g.outputSize());
                        Buf dx = Buf.allocate(batch * g.inputSize());
                        Buf dw = Buf.allocate(g.weightSize());
                        InContext.run(threads, () -> {
                            assertThat(OneDnn.usable(CpuContext.current())).isEqualTo(oneDnn);
                            Conv2d.forward(ConvAlgorithm.ONEDNN, g, xIn, w, b, yOut, scratch, batch,
                                    Activation.IDENTITY, 0f, in, out);
                            Conv2d.backwardInput(ConvAlgorithm.ONEDNN, g, dzOut, w, dx, scratch, batch, false, in,
                                    out);
                            Conv2d.backwardWeights(ConvAlgorithm.ONEDNN, g, dzOut, xIn, dw, scratch, batch, false,
                                    in, out);
                        });
                        Buf yPlain = out == Layout.NCHW ? yOut : toNchw(yOut, batch, g.filters(), ohw);
                        Buf dxPlain = in == Layout.NCHW ? dx : toNchw(dx, batch, g.channels(), hw);
                        Close.check(what + " forward", yPlain.toArray(), y, 1e-4, 1e-4 * Math.sqrt(g.patchSize()));
                        Close.check(what + " input gradient", dxPlain.toArray(), DirectConv.toFloats(grads[0]), 1e-4,
                                1e-4 * Math.sqrt((double) g.filters() * g.kernelH() * g.kernelW()));
                        Close.check(what + " kernel gradient", dw.toArray(), DirectConv.toFloats(grads[1]), 1e-4,
                                1e-4 * Math.sqrt((double) batch * ohw));
                    }
                }
            }
        }
    }

    @Test
    void theFallbackAddsToGradientsWhenAsked() {
        ConvGeometry g = ConvGeometry.symmetric(16, 7, 7, 32, 3, 2, 1);
        int batch = 2;
        Buf x = random(batch * g.inputSize());
        Buf w = random(g.weightSize());
        Buf dz = random(batch * g.outputSize());
        Buf scratch = Buf.allocate(Conv2d.layoutScratchFloats(g, Layout.NCHW16C, Layout.NCHW16C)
                + Conv2d.scratchFloats(g, 2));
        Buf xb = toBlocked(x, batch, 16, 49);
        Buf dzb = toBlocked(dz, batch, 32, 16);
        Buf dx = Buf.allocate(batch * g.inputSize());
        Buf dw = Buf.allocate(g.weightSize());
        InContext.run(team(), () -> {
            for (int i = 0; i < 2; i++) {
                Conv2d.backwardInput(ConvAlgorithm.ONEDNN, g, dzb, w, dx, scratch, batch, i > 0, Layout.NCHW16C,
                        Layout.NCHW16C);
                Conv2d.backwardWeights(ConvAlgorithm.ONEDNN, g, dzb, xb, dw, scratch, batch, i > 0, Layout.NCHW16C,
                        Layout.NCHW16C);
            }
        });
        double[][] grads = DirectConv.backward(g, x.toArray(), w.toArray(), dz.toArray(), batch);
        float[] twiceDx = DirectConv.toFloats(grads[0]);
        float[] twiceDw = DirectConv.toFloats(grads[1]);
        for (int i = 0; i < twiceDx.length; i++) {
            twiceDx[i] *= 2;
        }
        for (int i = 0; i < twiceDw.length; i++) {
            twiceDw[i] *= 2;
        }
        Close.check("dx twice", toNchw(dx, batch, 16, 49).toArray(), twiceDx, 1e-4, 1e-3);
        Close.check("dw twice", dw.toArray(), twiceDw, 1e-4, 1e-3);
    }

    @Test
    void aBlockedOperandNeedsChannelsInBlocksAndItsScratch() {
        ConvGeometry g = ConvGeometry.symmetric(16, 7, 7, 24, 3, 2, 1);
        Buf x = random(g.inputSize());
        Buf w = random(g.weightSize());
        Buf y = Buf.allocate(g.outputSize());
        IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                () -> Conv2d.forward(ConvAlgorithm.ONEDNN, g, x, w, null, y, Buf.allocate(10_000), 1,
                        Activation.IDENTITY, 0f, Layout.NCHW, Layout.NCHW16C));
        assertThat(channels).hasMessageThat().contains("got 24");
        ConvGeometry fits = ConvGeometry.symmetric(16, 7, 7, 32, 3, 2, 1);
        IllegalArgumentException scratch = assertThrows(IllegalArgumentException.class,
                () -> Conv2d.forward(ConvAlgorithm.ONEDNN, fits, x, random(fits.weightSize()), null,
                        Buf.allocate(fits.outputSize()), Buf.allocate(100), 1, Activation.IDENTITY, 0f,
                        Layout.NCHW16C, Layout.NCHW16C));
        assertThat(scratch).hasMessageThat().contains("needs " + (16 * 49 + 32 * 16) + " floats");
        assertThat(Conv2d.layoutScratchFloats(fits, Layout.NCHW, Layout.NCHW)).isEqualTo(0);
        assertThat(Conv2d.layoutScratchFloats(fits, Layout.NCHW16C, Layout.NCHW)).isEqualTo(16 * 49);
    }

    /** A training batchnorm's forward and backward call, on one layout. */
    private static final class Run {
        final Buf y;
        final Buf dx;
        final Buf dgamma;
        final Buf dbeta;
        final Buf runningMean;
        final Buf runningVar;
        final Buf saved;

        Run(int channels, int size) {
            y = Buf.allocate(size);
            dx = Buf.allocate(size);
            dgamma = Buf.allocate(channels);
            dbeta = Buf.allocate(channels);
            runningMean = Buf.allocate(channels);
            runningVar = Buf.allocate(channels);
            saved = Buf.allocate(2 * channels);
            for (int c = 0; c < channels; c++) {
                runningVar.set(c, 1f);
            }
        }

        void forwardAndBack(Buf x, Buf residual, Buf dy, Buf gamma, Buf beta, int batch, int spatial, boolean relu,
                Layout layout) {
            int channels = gamma.size();
            BatchNorm.forwardTraining(x, gamma, beta, runningMean, runningVar, y, saved, residual, batch, channels,
                    spatial, 0.1f, 1e-5f, relu, layout);
            BatchNorm.backward(x, y, dy, gamma, saved, dx, dgamma, dbeta, batch, channels, spatial, 1e-5f, relu,
                    false, false, layout);
        }
    }

    private static List<Layout> layouts(int channels) {
        List<Layout> all = new ArrayList<>(List.of(Layout.NCHW));
        if (channels % Layout.BLOCK == 0) {
            all.add(Layout.NCHW16C);
        }
        return all;
    }

    private static Buf toBlocked(Buf nchw, int batch, int channels, int spatial) {
        Buf out = Buf.allocate(nchw.size());
        for (int n = 0; n < batch; n++) {
            Blocked.fromNchw(nchw, n * channels * spatial, out, n, channels, spatial);
        }
        return out;
    }

    private static Buf toNchw(Buf blocked, int batch, int channels, int spatial) {
        Buf out = Buf.allocate(blocked.size());
        for (int n = 0; n < batch; n++) {
            Blocked.toNchw(blocked, n, out, n * channels * spatial, channels, spatial);
        }
        return out;
    }

    private Buf random(int n) {
        Buf b = Buf.allocate(n);
        for (int i = 0; i < n; i++) {
            b.set(i, (float) rng.nextGaussian());
        }
        return b;
    }
}
