package org.dnnc.compiler.codegen;

import java.nio.file.Path;
import org.dnnc.runtime.data.Dataset;
import org.dnnc.runtime.io.SaveOptions;
import org.dnnc.runtime.train.Trainer;
import org.dnnc.runtime.train.TrainableNetwork;

/**
 * The second half of {@link GeneratedResumeTest}, run in a JVM of its own so that nothing of the
 * first half survives in memory: builds the generated class (with another seed, which the
 * checkpoint must override), loads a checkpoint, trains one more epoch and saves the parameters.
 *
 * <p>Arguments: the generated class's name (on the class path), the checkpoint, the output file.
 */
public final class ResumeChild {
    private ResumeChild() {}

    public static void main(String[] args) throws Exception {
        Class<?> generated = Class.forName(args[0]);
        try (TrainableNetwork net = build(generated, 99)) {
            generated.getMethod("load", Path.class).invoke(net, Path.of(args[1]));
            trainer(generated).epochs(1).build().fit(net, data());
            generated.getMethod("save", Path.class, SaveOptions.class).invoke(net, Path.of(args[2]),
                    SaveOptions.withTrainingState());
        }
    }

    /** An instance on one thread, so that runs are bit for bit repeatable. */
    static TrainableNetwork build(Class<?> generated, long seed) throws Exception {
        Object builder = generated.getMethod("builder").invoke(null);
        builder.getClass().getMethod("seed", long.class).invoke(builder, seed);
        builder.getClass().getMethod("threads", int.class).invoke(builder, 1);
        return (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder);
    }

    /** The class's trainer as its train section sets it up (shuffled, seeded, scheduled), without a progress bar. */
    static Trainer.Builder trainer(Class<?> generated) throws Exception {
        return ((Trainer.Builder) generated.getMethod("trainer").invoke(null)).progress(false);
    }

    /** 22 examples of 6 features and 3 classes: 6 batches of 4 per epoch, the last one of 2. */
    static Dataset data() {
        int n = 22;
        float[] x = new float[n * 6];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int j = 0; j < 6; j++) {
                x[i * 6 + j] = (float) Math.sin(1.3 * i + 0.7 * j) + (j == labels[i] ? 1f : 0f);
            }
        }
        return Dataset.of(x, new int[] {6}, labels);
    }
}
