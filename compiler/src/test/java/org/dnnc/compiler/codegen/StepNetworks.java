package org.dnnc.compiler.codegen;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.TensorSpec;
import org.dnnc.runtime.train.TrainableNetwork;

/** Generated networks for tests that compare single training steps of variants of one network. */
final class StepNetworks {
    private StepNetworks() {}

    /**
     * Compiles {@code source} (which must check cleanly) to a class in {@code work} and builds it with
     * seed 3 and one thread, so variants with the same parameters start from the same values.
     */
    static TrainableNetwork build(String source, Path work) throws Exception {
        Compilation c = Compiler.compile(new SourceFile(work.resolve("Net.dnn").toString(), source));
        if (c.hasErrors()) {
            throw new AssertionError("the test network does not check: " + c.diagnostics());
        }
        NetworkModel model = c.networks().get(0);
        Class<?> generated = JavaSourceCompiler.compile(model.qualifiedName(),
                JavaGenerator.generate(model, c.source()).toString(), work, List.of("-Xlint:all", "-Werror"));
        Object builder = generated.getMethod("builder").invoke(null);
        builder.getClass().getMethod("seed", long.class).invoke(builder, 3L);
        builder.getClass().getMethod("threads", int.class).invoke(builder, 1);
        return (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder);
    }

    /** The arrays of {@code data} that {@code net} reads in a step, by its input and target names. */
    static Inputs stepInputs(TrainableNetwork net, Map<String, ?> data) {
        Inputs inputs = new Inputs();
        for (List<TensorSpec> specs : List.of(net.inputs(), net.targets())) {
            for (TensorSpec spec : specs) {
                Object values = data.get(spec.name());
                if (values instanceof int[] ints) {
                    inputs.and(spec.name(), ints);
                } else {
                    inputs.and(spec.name(), (float[]) values);
                }
            }
        }
        return inputs;
    }

    static float[] parameters(TrainableNetwork net) {
        float[] p = new float[net.parameterCount()];
        net.copyParametersTo(p);
        return p;
    }
}
