package org.dnnc.tools;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.dnnc.compiler.codegen.CodegenException;
import org.dnnc.compiler.codegen.JavaGenerator;
import org.dnnc.compiler.codegen.JavaSourceCompiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.target.CudaTarget;
import org.dnnc.compiler.target.Target;
import org.dnnc.runtime.Device;
import org.dnnc.runtime.Network;
import org.dnnc.runtime.cuda.CudaUnavailableException;
import org.dnnc.runtime.train.TrainableNetwork;
import org.dnnc.runtime.train.Trainer;

/**
 * A network compiled in memory ({@link JavaSourceCompiler}), with reflective access to what its
 * generated class adds to {@code TrainableNetwork}.
 */
final class CompiledNetwork {
    private final Class<?> type;

    private CompiledNetwork(Class<?> type) {
        this.type = type;
    }

    /** Compiles {@code model} with the fusion passes, or without them when {@code fuse} is false. */
    static CompiledNetwork compile(NetworkModel model, SourceFile source, boolean fuse) throws CodegenException {
        return compile(model, source, fuse, Device.CPU);
    }

    /**
     * Compiles {@code model} to run on {@code device}: for CUDA with the cuda target as well, so that
     * its builder accepts {@code Device.CUDA}.
     */
    static CompiledNetwork compile(NetworkModel model, SourceFile source, boolean fuse, Device device)
            throws CodegenException {
        return compile(model, source, fuse, device, null);
    }

    /**
     * As {@link #compile(NetworkModel, SourceFile, boolean, Device)}, keeping the classes under
     * {@code classes}/HASH, HASH the generated source's SHA-256, and loading them from there when
     * they are already there: a machine with a Java runtime but no {@code jdk.compiler} (the GPU
     * check's) runs the networks compiled beforehand. The generated source (which needs no
     * compiler) picks the folder, so classes of another source are never loaded. {@code null}:
     * compile in memory.
     */
    static CompiledNetwork compile(NetworkModel model, SourceFile source, boolean fuse, Device device, Path classes)
            throws CodegenException {
        Set<Target> targets = device == Device.CUDA ? Set.of(CpuTarget.INSTANCE, CudaTarget.INSTANCE)
                : Set.of(CpuTarget.INSTANCE);
        String code = JavaGenerator.generate(model, source, fuse, targets).toString();
        if (classes != null) {
            try {
                return new CompiledNetwork(kept(model.qualifiedName(), code, classes));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        try {
            Path dir = Files.createTempDirectory("dnnc-run");
            // Ctrl-C during compilation skips the finally block; the hook removes the folder then.
            Thread cleanup = new Thread(() -> {
                try {
                    deleteTree(dir);
                } catch (IOException e) {
                    System.err.println("dnnc: warning: could not remove " + dir + ": " + e.getMessage());
                }
            }, "dnnc-run-cleanup");
            Runtime.getRuntime().addShutdownHook(cleanup);
            try {
                return new CompiledNetwork(JavaSourceCompiler.compile(model.qualifiedName(), code, dir, List.of()));
            } finally {
                deleteTree(dir);
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException shuttingDown) {
                    // The hook runs anyway and finds nothing left to delete.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The class {@code name} of {@code code} from {@code classes}/HASH, compiled into it first if absent. */
    private static Class<?> kept(String name, String code, Path classes) throws IOException {
        Path dir = classes.resolve(sha256(code));
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(classes);
            // Compiled beside it and renamed: a run stopped half way leaves no half-filled folder.
            Path work = Files.createTempDirectory(classes, "compiling-");
            try {
                JavaSourceCompiler.compile(name, code, work, List.of());
                Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                // Another run kept the same classes first.
            } finally {
                deleteTree(work);
            }
        }
        // Not closed: the class is used for as long as the command runs.
        URLClassLoader loader = new URLClassLoader(new URL[] {dir.resolve("classes").toUri().toURL()},
                CompiledNetwork.class.getClassLoader());
        try {
            return loader.loadClass(name);
        } catch (ClassNotFoundException e) {
            throw new IOException(dir + " does not hold " + name + ": remove the folder to compile it again", e);
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** The compiler's work folder, which nothing needs once the classes are loaded. */
    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var tree = Files.walk(dir)) {
            for (Path p : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A new instance from the generated builder, of a network with a train section. */
    TrainableNetwork build(long seed, int threads) {
        return build(seed, threads, Device.CPU);
    }

    /**
     * A new instance on {@code device}.
     *
     * @throws CudaUnavailableException for CUDA where this machine cannot run it, naming what is missing
     */
    TrainableNetwork build(long seed, int threads, Device device) {
        return (TrainableNetwork) buildAny(seed, threads, device);
    }

    /** A new instance from the generated builder: a {@link TrainableNetwork} when the network has a train section. */
    Network buildAny(long seed, int threads) {
        return buildAny(seed, threads, Device.CPU);
    }

    private Network buildAny(long seed, int threads, Device device) {
        try {
            Object builder = type.getMethod("builder").invoke(null);
            builder.getClass().getMethod("seed", long.class).invoke(builder, seed);
            builder.getClass().getMethod("threads", int.class).invoke(builder, threads);
            if (device != Device.CPU) {
                builder.getClass().getMethod("device", Device.class).invoke(builder, device);
            }
            return (Network) builder.getClass().getMethod("build").invoke(builder);
        } catch (InvocationTargetException e) {
            // A machine without a GPU, driver or library: the builder says which; so does the command.
            if (e.getCause() instanceof CudaUnavailableException missing) {
                throw missing;
            }
            // A checkpoint that load_weights cannot read is the user's mistake: pass its message on.
            if (e.getCause() instanceof UncheckedIOException bad) {
                throw bad;
            }
            throw new IllegalStateException("the generated builder failed", e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the generated builder failed", e);
        }
    }

    /** The generated {@code save(Path)}: every parameter, atomically, refusing NaN or infinite weights. */
    void save(Network net, Path file) throws IOException {
        invokeWithFile(net, "save", file);
    }

    /** The generated {@code load(Path)}: checks the whole file against the network before changing anything. */
    void load(Network net, Path file) throws IOException {
        invokeWithFile(net, "load", file);
    }

    private void invokeWithFile(Network net, String method, Path file) throws IOException {
        try {
            type.getMethod(method, Path.class).invoke(net, file);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(method + " failed", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the generated class has no " + method + "(Path)", e);
        }
    }

    /** The generated {@code trainer()}: the train section's settings, ready to adjust. */
    Trainer.Builder trainer() {
        try {
            return (Trainer.Builder) type.getMethod("trainer").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the generated trainer() failed", e);
        }
    }

    /** A public constant of the generated class, such as {@code LEARNING_RATE}. */
    Object constant(String name) {
        try {
            return type.getField(name).get(null);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the generated class has no constant " + name, e);
        }
    }

    /** {@code predict(float[] x, int count, float[] out)} of the generated class. */
    void predict(TrainableNetwork net, float[] x, int count, float[] out) {
        try {
            type.getMethod("predict", float[].class, int.class, float[].class).invoke(net, x, count, out);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("predict failed", e);
        }
    }
}
