package org.dnnc.runtime.train;

import java.math.BigDecimal;
import java.math.MathContext;

/** {@link EarlyStopping} during one run: the best value so far, the epochs since, and the best parameters. */
final class EarlyStopState {
    private final EarlyStopping config;
    /** The parameters of the best epoch, or {@code null} when they are not to be restored. */
    private final float[] bestParameters;
    private double best = Double.NaN;
    private int bestEpoch;
    private int epochsWithoutImprovement;

    EarlyStopState(EarlyStopping config, TrainableNetwork net) {
        this.config = config;
        this.bestParameters = config.restoreBest() ? new float[net.parameterCount()] : null;
    }

    /** Takes in an epoch's metrics, keeping the parameters if they are the best; returns whether to stop. */
    boolean update(EpochRecord epoch, TrainableNetwork net) {
        double value = config.monitor().of(epoch);
        if (config.monitor().improves(value, best, config.minDelta())) {
            best = value;
            bestEpoch = epoch.epoch();
            epochsWithoutImprovement = 0;
            if (bestParameters != null) {
                net.copyParametersTo(bestParameters);
            }
        } else {
            epochsWithoutImprovement++;
        }
        return epochsWithoutImprovement >= config.patience();
    }

    /** Why training stopped, after {@link #update} said so. */
    String stopMessage() {
        String by = config.minDelta() > 0 ? " by more than " + number(config.minDelta()) : "";
        return config.monitor().key() + " did not improve" + by + " for " + config.patience() + " epoch"
                + (config.patience() == 1 ? "" : "s")
                + (bestEpoch == 0 ? " (it was never a number)" : "; the best was " + number(best) + " at epoch " + bestEpoch);
    }

    /**
     * Puts the best epoch's parameters back if asked to and if the network has moved on from them;
     * returns a note saying so for the stop message, or an empty string.
     */
    String restoreBest(TrainableNetwork net, int lastEpoch) {
        if (bestParameters == null || bestEpoch == 0 || bestEpoch == lastEpoch) {
            return "";
        }
        net.copyParametersFrom(bestParameters);
        return "; restored the parameters of epoch " + bestEpoch + " (" + config.monitor().key() + " " + number(best) + ")";
    }

    /** Six significant digits, without trailing zeros: {@code 0.5}, {@code 0.312346}. */
    private static String number(double value) {
        if (!Double.isFinite(value)) {
            return Double.toString(value);
        }
        return new BigDecimal(value).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }
}
