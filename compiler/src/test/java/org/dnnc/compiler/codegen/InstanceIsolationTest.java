package org.dnnc.compiler.codegen;

import static com.google.common.truth.Truth.assertWithMessage;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.testing.RepoPaths;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each instance owns its threads: a one-thread and a two-thread instance of the same convolutional
 * network, training side by side on two threads of one process, end with exactly the parameters
 * each reaches alone. With process-global thread settings the later build changed the earlier
 * instance's split (and so the order of its sums).
 */
class InstanceIsolationTest {
    private static final Path NET = RepoPaths.testResources().resolve("codegen/ConvNet.dnn");
    private static final int BATCH = 4;
    private static final int STEPS = 20;

    @TempDir
    static Path work;

    @Test
    void twoInstancesWithDifferentThreadCountsDoNotAffectEachOther() throws Exception {
        SourceFile file = SourceFile.read(NET);
        NetworkModel model = Compiler.compile(file).networks().get(0);
        Class<?> generated = JavaSourceCompiler.compile(model.qualifiedName(),
                JavaGenerator.generate(model, file).toString(), work, List.of());
        float[] oneAlone = train(generated, 1);
        float[] twoAlone = train(generated, 2);
        assertWithMessage("the split sums in another order, so a wrong split would show")
                .that(twoAlone).isNotEqualTo(oneAlone);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<float[]> one = pool.submit(() -> train(generated, 1));
            Future<float[]> two = pool.submit(() -> train(generated, 2));
            assertWithMessage("one thread, beside a two-thread instance").that(one.get()).isEqualTo(oneAlone);
            assertWithMessage("two threads, beside a one-thread instance").that(two.get()).isEqualTo(twoAlone);
        } finally {
            pool.shutdown();
        }
    }

    private static float[] train(Class<?> generated, int threads) throws Exception {
        Object builder = generated.getMethod("builder").invoke(null);
        builder.getClass().getMethod("seed", long.class).invoke(builder, 11L);
        builder.getClass().getMethod("threads", int.class).invoke(builder, threads);
        try (TrainableNetwork net = (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder)) {
            SplittableRandom random = new SplittableRandom(3);
            float[] image = new float[BATCH * 2 * 8 * 8];
            int[] labels = new int[BATCH];
            for (int step = 0; step < STEPS; step++) {
                for (int i = 0; i < image.length; i++) {
                    image[i] = (float) random.nextDouble(-2, 2);
                }
                for (int i = 0; i < BATCH; i++) {
                    labels[i] = random.nextInt(3);
                }
                net.trainStep(Inputs.of("image", image).and("label", labels), BATCH, 0.05);
            }
            float[] parameters = new float[net.parameterCount()];
            net.copyParametersTo(parameters);
            return parameters;
        }
    }
}
