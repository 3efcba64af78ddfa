package org.dnnc.runtime.train;

import java.util.List;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.Outputs;
import org.dnnc.runtime.TensorSpec;

/**
 * A trainer test's stand-in for a generated network: it trains but declares no outputs and does not
 * predict; unless it says otherwise, it has no parameters and no native memory.
 */
interface FakeNetwork extends TrainableNetwork {

    @Override
    default int parameterCount() {
        return 0;
    }

    @Override
    default void copyParametersTo(float[] dst) {}

    @Override
    default void copyParametersFrom(float[] src) {}

    @Override
    default void close() {}

    /** Fakes keep no epoch count: each fit starts from epoch 0's data order. */
    @Override
    default long epochs() {
        return 0;
    }

    @Override
    default void epochCompleted() {}

    @Override
    default void updateOnNonFiniteLoss(boolean update) {}

    @Override
    default int classes() {
        return 0;
    }

    @Override
    default List<TensorSpec> outputs() {
        return List.of();
    }

    @Override
    default Outputs predict(Inputs inputs) {
        throw new UnsupportedOperationException(name() + " is a trainer test's fake and does not predict");
    }
}
