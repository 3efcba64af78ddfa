package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link ConvAlgorithm#ONEDNN}'s forward pass against the naive convolution in double, on {@link
 * ConvAlgorithmTest}'s shapes (the benchmark networks' layers and odd ones), for every activation with and without a bias, in
 * a context of as many threads as OpenMP's team (where oneDNN runs); and the fallback in a context
 * of another thread count, which must be the rules' algorithm to the bit.
 */
class OneDnnConvTest {

    private final Rng rng = new Rng(47);

    private static int team() {
        return OneDnn.team(System.getenv("OMP_NUM_THREADS"), Runtime.getRuntime().availableProcessors());
    }

    @Test
    void matchesTheNaiveConvolutionForEveryActivation() {
        assumeTrue(OneDnn.failure() == null, () -> "oneDNN did not load on this platform: " + OneDnn.failure());
        for (ConvGeometry g : ConvAlgorithmTest.SHAPES) {
            for (Activation act : Activation.values()) {
                float param = act == Activation.LEAKY_RELU ? 0.1f : act == Activation.ELU ? 0.7f : 0f;
                for (boolean withBias : new boolean[] {false, true}) {
                    for (int batch : new int[] {1, 5}) {
                        Buf x = random(batch * g.inputSize());
                        Buf w = random(g.weightSize());
                        Buf b = withBias ? random(g.filters()) : null;
                        Buf y = Buf.allocate(batch * g.outputSize());
                        boolean ran = InContext.call(team(),
                                () -> OneDnnConv.forward(g, x, w, b, y, batch, act, param));
                        String what = g + " " + act + (withBias ? " with bias" : "") + " batch " + batch;
                        assertThat(ran).isTrue();
                        float[] expected = DirectConv.forward(g, x.toArray(), w.toArray(),
                                withBias ? b.toArray() : new float[g.filters()], batch);
                        for (int i = 0; i < expected.length; i++) {
                            expected[i] = Activations.apply(act, param, expected[i]);
                        }
                        // Sums of up to 1,152 products of unit Gaussians, in oneDNN's order.
                        Close.check(what, y.toArray(), expected, 1e-4, 1e-4 * Math.sqrt(g.patchSize()));
                    }
                }
            }
        }
    }

    @Test
    void aContextOfAnotherThreadCountRunsTheRulesAlgorithmToTheBit() {
        int threads = team() == 1 ? 2 : 1;
        for (ConvGeometry g : ConvAlgorithmTest.SHAPES) {
            int batch = 3;
            Buf x = random(batch * g.inputSize());
            Buf w = random(g.weightSize());
            Buf b = random(g.filters());
            Buf viaOneDnn = Buf.allocate(batch * g.outputSize());
            Buf viaRules = Buf.allocate(batch * g.outputSize());
            Buf scratch = Buf.allocate(Conv2d.scratchFloats(g, 2));
            InContext.run(threads, () -> {
                assertThat(OneDnn.usable(CpuContext.current())).isFalse();
                Conv2d.forward(ConvAlgorithm.ONEDNN, g, x, w, b, viaOneDnn, scratch, batch, Activation.RELU, 0f);
                Conv2d.forward(ConvAlgorithm.forward(g), g, x, w, b, viaRules, scratch, batch, Activation.RELU, 0f);
            });
            assertThat(viaOneDnn.toArray()).isEqualTo(viaRules.toArray());
        }
    }

    @Test
    void theGradientPassesRunTheRulesAlgorithms() {
        ConvGeometry g = ConvGeometry.symmetric(64, 14, 14, 64, 3, 2, 1);
        int batch = 4;
        Buf x = random(batch * g.inputSize());
        Buf w = random(g.weightSize());
        Buf dy = random(batch * g.outputSize());
        Buf scratch = Buf.allocate(Conv2d.scratchFloats(g, 2));
        Buf[] dx = {Buf.allocate(batch * g.inputSize()), Buf.allocate(batch * g.inputSize())};
        Buf[] dw = {Buf.allocate(g.weightSize()), Buf.allocate(g.weightSize())};
        InContext.run(team(), () -> {
            Conv2d.backwardInput(ConvAlgorithm.ONEDNN, g, dy, w, dx[0], scratch, batch, false);
            Conv2d.backwardInput(ConvAlgorithm.inputGradient(g), g, dy, w, dx[1], scratch, batch, false);
            Conv2d.backwardWeights(ConvAlgorithm.ONEDNN, g, dy, x, dw[0], scratch, batch, false);
            Conv2d.backwardWeights(ConvAlgorithm.weightGradient(g), g, dy, x, dw[1], scratch, batch, false);
        });
        assertThat(dx[0].toArray()).isEqualTo(dx[1].toArray());
        assertThat(dw[0].toArray()).isEqualTo(dw[1].toArray());
    }

    @Test
    void aContextKeepsTheLastShapesAndBatchesAndStaysRight() {
        assumeTrue(OneDnn.failure() == null, () -> "oneDNN did not load on this platform: " + OneDnn.failure());
        ConvGeometry g = ConvGeometry.symmetric(16, 7, 7, 24, 3, 2, 1);
        Buf w = random(g.weightSize());
        Buf b = random(g.filters());
        int batches = OneDnnCache.CACHED + 6;
        InContext.run(team(), () -> {
            for (int batch = 1; batch <= batches; batch++) {
                Buf x = random(batch * g.inputSize());
                Buf y = Buf.allocate(batch * g.outputSize());
                assertThat(OneDnnConv.forward(g, x, w, b, y, batch, Activation.IDENTITY, 0f)).isTrue();
                float[] expected = DirectConv.forward(g, x.toArray(), w.toArray(), b.toArray(), batch);
                Close.check(g + " batch " + batch, y.toArray(), expected, 1e-4, 1e-4 * Math.sqrt(g.patchSize()));
                assertThat(CpuContext.current().oneDnn().size()).isEqualTo(Math.min(batch, OneDnnCache.CACHED));
            }
        });
    }

    @Test
    void theTeamIsOmpNumThreadsFirstLevelElseTheProcessors() {
        assertThat(OneDnn.team(null, 8)).isEqualTo(8);
        assertThat(OneDnn.team("2", 8)).isEqualTo(2);
        assertThat(OneDnn.team(" 3 ", 8)).isEqualTo(3);
        assertThat(OneDnn.team("4,2", 8)).isEqualTo(4);
        assertThat(OneDnn.team("", 8)).isEqualTo(8);
        assertThat(OneDnn.team("0", 8)).isEqualTo(8);
        assertThat(OneDnn.team("many", 8)).isEqualTo(8);
    }

    private Buf random(int n) {
        Buf b = Buf.allocate(n);
        for (int i = 0; i < n; i++) {
            b.set(i, (float) rng.nextGaussian());
        }
        return b;
    }
}
