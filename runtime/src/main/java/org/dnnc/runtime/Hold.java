package org.dnnc.runtime;

/**
 * The time a thread holds a network ({@link Network#hold()}): close it once, on the same thread,
 * to release the network. A top-level type rather than one nested in {@link Network}: a type
 * nested there would be inherited by every generated class and hide a network named after it.
 */
@FunctionalInterface
public interface Hold extends AutoCloseable {
    /** Releases the network; calls from other threads are accepted again. */
    @Override
    void close();
}
