package org.example.tiny;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.train.History;
import org.dnnc.runtime.train.TrainableNetwork;
import org.example.probe.Probe;
import org.junit.jupiter.api.Test;

/** The classes generated from src/main/dnn and src/test/dnn, used as an application uses them. */
class TinyTest {
    private static final int N = 64;

    /** Three classes that depend on the features, so that there is something to learn. */
    private static float[] features(Random random) {
        float[] x = new float[N * 4];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    private static int[] labels(float[] x) {
        int[] labels = new int[N];
        for (int i = 0; i < N; i++) {
            float s = x[4 * i] + x[4 * i + 1];
            labels[i] = s < -0.5f ? 0 : s < 0.5f ? 1 : 2;
        }
        return labels;
    }

    @Test
    void aFewStepsLowerTheLoss() {
        float[] x = features(new Random(1));
        int[] labels = labels(x);
        try (Tiny net = Tiny.builder().seed(7).build()) {
            assertEquals(32, net.maxBatch());
            Inputs batch = Inputs.of("x", x).and("label", labels);
            double first = net.evaluateStep(batch, 32).lossSum();
            for (int step = 0; step < 30; step++) {
                net.trainStep(batch, 32, 0.01);
            }
            double last = net.evaluateStep(batch, 32).lossSum();
            assertTrue(last < 0.8 * first, "loss " + first + " -> " + last);
            assertEquals(30, net.steps());
        }
    }

    @Test
    void fitRunsTheTrainSection() {
        float[] x = features(new Random(2));
        Dataset data = Dataset.of(x, new int[] {4}, labels(x));
        try (Tiny net = Tiny.builder().seed(3).build()) {
            History history = net.fit(data, data);
            assertEquals(5, history.epochs().size());
            assertTrue(history.last().loss() < history.epochs().get(0).loss(), history.toJsonLines());
            float[] probs = net.predict(new float[] {1, 1, 0, 0});
            assertEquals(3, probs.length);
        }
    }

    @Test
    void theTestNetworkIsGeneratedInThePackageOfItsFolder() {
        try (TrainableNetwork probe = Probe.builder().build()) {
            assertEquals("Probe", probe.name());
            assertEquals(4, probe.maxBatch());
        }
    }
}
