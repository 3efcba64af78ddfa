package org.dnnc.runtime;

import java.util.List;

/**
 * A network compiled from a {@code .dnn} file: what every generated class implements, whether it
 * trains ({@link org.dnnc.runtime.train.TrainableNetwork}) or only predicts (a network without a
 * train section). It owns its parameters and working memory, allocated when it is built and freed
 * by {@link #close()}.
 */
public interface Network extends AutoCloseable {

    /** The network's name, as declared in its {@code .dnn} file, for messages and progress output. */
    String name();

    /** The largest batch a step accepts: the batch size the network's memory was planned for. */
    int maxBatch();

    /**
     * The inputs that {@link #predict(Inputs)} reads, in declaration order: each one's name, element
     * type and shape of one example (for example {@code image: float[1, 28, 28]}). Inputs that only
     * training reads (class labels, targets) are not among them.
     */
    List<TensorSpec> inputs();

    /** The declared outputs, in declaration order, that {@link #predict(Inputs)} returns. */
    List<TensorSpec> outputs();

    /**
     * Every output for the examples in {@code inputs} in inference mode (no dropout, running
     * statistics), in passes of at most the planned batch.
     *
     * @param inputs one array per {@linkplain #inputs() input}, each holding the same number of examples
     * @throws IllegalArgumentException if an input is missing, unknown, of the other element type, or
     *     not a whole number of examples (the message names the expected shape and what was given)
     */
    Outputs predict(Inputs inputs);

    /**
     * The number of values that {@link #copyParametersTo} writes: every trainable parameter and
     * every other value that predictions depend on (batchnorm's running averages), so that restoring
     * a snapshot restores the network's behaviour, not only its weights. Optimizer state is not
     * included.
     */
    int parameterCount();

    /** Copies the values counted by {@link #parameterCount()} into {@code dst[0, parameterCount())}, in a fixed order. */
    void copyParametersTo(float[] dst);

    /** Sets the values counted by {@link #parameterCount()} from {@code src}, in the order of {@link #copyParametersTo}. */
    void copyParametersFrom(float[] src);

    /**
     * Reserves this instance for the calling thread until the returned {@link Hold} is closed, so
     * that a sequence of calls cannot interleave with another thread's: {@link
     * org.dnnc.runtime.train.Trainer#fit} holds its network for the whole run. Calls on the holding
     * thread run as usual (holds nest); a call from another thread meanwhile throws {@code
     * IllegalStateException} at once, naming the thread and {@link Predictor}, the thread-safe way
     * to predict from many threads. Generated classes hold their execution context; this default
     * (for other implementations) reserves nothing.
     *
     * @throws IllegalStateException if the network is closed or another thread is using it
     */
    default Hold hold() {
        return () -> {};
    }

    /** Releases the network's native memory; no method may be called afterwards. */
    @Override
    void close();
}
