package org.dnnc.runtime;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Serves {@link Network#predict} from many threads at once. A network instance runs one thread's
 * calls at a time (a second thread's call throws); a predictor keeps several instances that share
 * one copy of the parameters, read only, each with its own workspace, and lends each call an idle
 * one. Instances are made when a call finds none idle, so there are as many as calls have ever run
 * at once, and they are kept for later calls.
 *
 * <pre>{@code
 * try (Predictor predictor = FashionMlp.predictor(Path.of("fashion.safetensors"))) {
 *     // any number of threads:
 *     Outputs out = predictor.predict(Inputs.of("image", pixels));
 * }
 * }</pre>
 *
 * <p>A generated class makes one with {@code net.predictor()}, from a snapshot of the instance's
 * parameters (training the instance afterwards does not change it), or with the static {@code
 * predictor(checkpoint)}. Predictions are those of the network in inference mode, bit for bit the
 * same as one instance's. {@link #close()} waits for calls in flight, then frees every instance;
 * calls after it throw {@code IllegalStateException}.
 */
public final class Predictor implements AutoCloseable {
    /** The instance that owns the shared parameters: closed last. */
    private final Network first;
    private final Supplier<? extends Network> sibling;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final ArrayDeque<Network> idle = new ArrayDeque<>();
    /** Every instance made, {@link #first} first; guarded by {@link #lock}. */
    private final List<Network> all = new ArrayList<>();
    /** Guarded by {@link #lock}. */
    private boolean closed;

    private Predictor(Network first, Supplier<? extends Network> sibling) {
        this.first = first;
        this.sibling = sibling;
        idle.push(first);
        all.add(first);
    }

    /**
     * A predictor over {@code first}, which it owns from now on, and instances made by {@code
     * sibling} as calls need them: each must predict exactly as {@code first} does (generated
     * classes pass instances that read {@code first}'s parameters) and must not free what they
     * share, since {@code first} is closed after them.
     */
    public static Predictor sharing(Network first, Supplier<? extends Network> sibling) {
        if (first == null || sibling == null) {
            throw new IllegalArgumentException("a predictor needs a network and a way to make more of it");
        }
        return new Predictor(first, sibling);
    }

    /** The network's name, as declared in its {@code .dnn} file. */
    public String name() {
        return first.name();
    }

    /** The inputs {@link #predict} reads, as {@link Network#inputs()}. */
    public List<TensorSpec> inputs() {
        return first.inputs();
    }

    /** The outputs {@link #predict} returns, as {@link Network#outputs()}. */
    public List<TensorSpec> outputs() {
        return first.outputs();
    }

    /**
     * Every output for the examples in {@code inputs}, as {@link Network#predict(Inputs)}; safe to
     * call from any number of threads at once.
     *
     * @throws IllegalArgumentException if the inputs do not fit the network (as {@link Network#predict})
     * @throws IllegalStateException if the predictor is closed
     */
    public Outputs predict(Inputs inputs) {
        Network instance = take();
        try {
            return instance.predict(inputs);
        } finally {
            giveBack(instance);
        }
    }

    /** How many instances (workspaces) the predictor holds: the most calls that have run at once. */
    public int instances() {
        synchronized (lock) {
            return all.size();
        }
    }

    /**
     * Waits for the calls in flight, then frees every instance and the shared parameters. Closing
     * again does nothing.
     */
    @Override
    public void close() {
        List<Network> instances;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            instances = List.copyOf(all);
            idle.clear();
        }
        // Each close waits for a call inside that instance; the owner of the parameters goes last.
        for (int i = instances.size() - 1; i >= 0; i--) {
            instances.get(i).close();
        }
    }

    private Network take() {
        synchronized (lock) {
            requireOpen();
            Network instance = idle.poll();
            if (instance != null) {
                return instance;
            }
        }
        // Made outside the lock: allocating a workspace should not hold up calls that find one idle.
        Network made = sibling.get();
        synchronized (lock) {
            if (!closed) {
                all.add(made);
                return made;
            }
        }
        made.close();
        throw closedException();
    }

    private void giveBack(Network instance) {
        synchronized (lock) {
            if (!closed) {
                idle.push(instance);
            }
        }
    }

    private void requireOpen() {
        if (closed) {
            throw closedException();
        }
    }

    private IllegalStateException closedException() {
        return new IllegalStateException("the predictor of " + first.name() + " is closed");
    }
}
