package org.dnnc.compiler.codegen;

import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.train.TrainableNetwork;

/**
 * The child JVM of {@link GeneratedCudaClassTest}: builds a class compiled with the CUDA target
 * on the CPU, trains two steps and predicts, so that its class-loading log shows what a CPU user
 * loads.
 *
 * <p>Argument: the generated class's name (on the class path); it takes 784 floats per example.
 */
public final class CpuOnlyChild {
    /** Printed last, when everything ran. */
    static final String DONE = "cpu-only child done";

    private CpuOnlyChild() {}

    public static void main(String[] args) throws Exception {
        Class<?> generated = Class.forName(args[0]);
        Object builder = generated.getMethod("builder").invoke(null);
        builder.getClass().getMethod("threads", int.class).invoke(builder, 1);
        try (TrainableNetwork net = (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder)) {
            int n = 4;
            float[] x = new float[n * 784];
            int[] labels = new int[n];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.sin(0.01 * i);
            }
            for (int i = 0; i < n; i++) {
                labels[i] = i % 10;
            }
            Inputs batch = Inputs.of("image", x).and("label", labels);
            for (int step = 0; step < 2; step++) {
                net.trainStep(batch, n, 0.001);
            }
            net.predict(Inputs.of("image", x));
        }
        System.out.println(DONE);
    }
}
