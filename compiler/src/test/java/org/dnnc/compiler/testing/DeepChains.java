package org.dnnc.compiler.testing;

import java.util.concurrent.atomic.AtomicReference;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.sema.NetworkModel;

/** Networks as deep as a test wants: a chain of {@code dense(4)} layers with a classifier's train section. */
public final class DeepChains {
    /**
     * The stack of the threads that run the middle and back end in these tests: far less than one
     * frame per layer of the deep chains needs, so a recursion over the graph overflows it.
     */
    public static final long SMALL_STACK = 512 * 1024;

    private DeepChains() {}

    /** {@code layers} dense layers in one chained expression, in the network {@code deep.Deep}. */
    public static SourceFile source(int layers) {
        StringBuilder s = new StringBuilder("package deep;\n\nnetwork Deep {\n    input x: float[4];\n    input label: int;\n\n"
                + "    logits = x");
        s.append(" -> dense(4)".repeat(layers)).append(";\n");
        s.append("""
                    output probs = softmax(logits);

                    train {
                        loss      = cross_entropy(logits, label);
                        optimizer = sgd(lr: 0.01);
                        batch     = 8;
                        epochs    = 1;
                    }
                }
                """);
        return new SourceFile("Deep.dnn", s.toString());
    }

    /** The checked network of {@link #source}; the front end runs on its own deep-stacked thread. */
    public static NetworkModel model(int layers) {
        Compilation c = Compiler.compile(source(layers));
        if (c.hasErrors()) {
            throw new AssertionError("the chain of " + layers + " layers does not check: " + c.diagnostics());
        }
        return c.networks().get(0);
    }

    /** A task that may throw. */
    public interface Task<T> {
        T run() throws Exception;
    }

    /** Runs {@code task} on a thread with {@link #SMALL_STACK} bytes of stack and returns its result or rethrows. */
    public static <T> T onSmallStack(Task<T> task) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                result.set(task.run());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "small-stack", SMALL_STACK);
        t.start();
        t.join();
        if (failure.get() instanceof Exception e) {
            throw e;
        }
        if (failure.get() instanceof Error e) {
            throw e;
        }
        return result.get();
    }
}
