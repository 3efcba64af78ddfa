package org.dnnc.compiler.codegen;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.target.CudaTarget;

/**
 * The networks {@link GeneratedCudaTrainingTest} trains, compiled with the CPU and CUDA targets.
 * The GPU machine has a Java runtime without {@code jdk.compiler} (it would not fit the bundle), so
 * {@code tools/gpu-check/bundle.sh} runs {@link #main} to compile them into a folder beforehand and
 * the tests load them from there when the system property {@value #PRECOMPILED} names it; without
 * the property they compile as any generated class does.
 */
final class CudaTestNetworks {
    /** The system property naming the folder that {@link #main} filled. */
    static final String PRECOMPILED = "dnnc.cudaTestClasses";

    /** Each network's source, by the name of its folder; read lazily, as the GPU machine has no sources. */
    private static final Map<String, Callable<SourceFile>> SOURCES = new LinkedHashMap<>();

    static {
        SOURCES.put("mlp", () -> SourceFile.read(GeneratedCudaClassTest.MLP));
        SOURCES.put("dropout", () -> SourceFile.read(GeneratedCudaClassTest.DROPOUT_MLP));
        SOURCES.put("clipped", () -> new SourceFile("Clipped.dnn", GeneratedCudaClassTest.CLIPPED));
        SOURCES.put("cnn", () -> SourceFile.read(GeneratedCudaNetworksTest.CNN));
        SOURCES.put("gru", () -> SourceFile.read(GeneratedCudaNetworksTest.GRU));
        SOURCES.put("sgd", () -> new SourceFile("SgdEmbedding.dnn", GeneratedCudaNetworksTest.SGD_EMBEDDING));
        SOURCES.put("regression", () -> new SourceFile("Regression.dnn", GeneratedCudaNetworksTest.REGRESSION));
        SOURCES.put("convchain", () -> new SourceFile("ConvChain.dnn", GeneratedCudaNetworksTest.CONV_CHAIN));
        SOURCES.put("golden_mlp", () -> new SourceFile("GoldenMlp.dnn", GoldenStepsOnDevicesTest.MLP));
        SOURCES.put("golden_cnn", () -> new SourceFile("GoldenCnn.dnn", GoldenStepsOnDevicesTest.CNN));
    }

    /** The file holding a precompiled folder's class name. */
    private static final String NAME_FILE = "network.txt";

    private CudaTestNetworks() {}

    /**
     * The network {@code name}'s class: from the folder {@value #PRECOMPILED} names when it is set,
     * else compiled under {@code work}.
     */
    static Class<?> load(String name, Path work) throws Exception {
        return load(name, work, System.getProperty(PRECOMPILED));
    }

    /** As {@link #load(String, Path)}, from {@code precompiled} unless it is null. */
    static Class<?> load(String name, Path work, String precompiled) throws Exception {
        if (precompiled == null) {
            return compile(name, work.resolve(name));
        }
        Path dir = Path.of(precompiled, name);
        if (!Files.isRegularFile(dir.resolve(NAME_FILE))) {
            throw new IllegalStateException(PRECOMPILED + "=" + precompiled + " has no network '" + name
                    + "': run CudaTestNetworks to fill it (tools/gpu-check/bundle.sh does)");
        }
        // Not closed: the tests use the class after this returns, and the JVM ends with them.
        URLClassLoader loader = new URLClassLoader(new URL[] {dir.resolve("classes").toUri().toURL()},
                CudaTestNetworks.class.getClassLoader());
        return loader.loadClass(Files.readString(dir.resolve(NAME_FILE)).strip());
    }

    private static Class<?> compile(String name, Path dir) throws Exception {
        SourceFile file = SOURCES.get(name).call();
        NetworkModel model = Compiler.compile(file).networks().get(0);
        String code = JavaGenerator.generate(model, file, true, Set.of(CpuTarget.INSTANCE, CudaTarget.INSTANCE))
                .toString();
        Class<?> type = JavaSourceCompiler.compile(model.qualifiedName(), code, dir, List.of());
        Files.writeString(dir.resolve(NAME_FILE), model.qualifiedName() + "\n");
        return type;
    }

    /** Compiles every network into {@code args[0]}/NAME/classes, for {@value #PRECOMPILED}. */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: CudaTestNetworks FOLDER");
        }
        precompile(Path.of(args[0]), SOURCES.keySet());
    }

    /** Compiles the networks {@code names} into {@code dir}/NAME. */
    static void precompile(Path dir, Iterable<String> names) throws Exception {
        for (String name : names) {
            compile(name, dir.resolve(name));
        }
    }
}
