package org.dnnc.tools.plot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.dnnc.runtime.train.EpochRecord;
import org.dnnc.runtime.train.History;
import org.dnnc.runtime.train.RangeTestResult;

/** The charts of a training run: curves per epoch, and a learning-rate range test's loss against the rate. */
public final class TrainingPlots {
    private static final String TRAINING = "#1f77b4";
    private static final String VALIDATION = "#ff7f0e";

    private TrainingPlots() {}

    /**
     * Loss per epoch, training and (when measured) validation, and beside it accuracy the same way
     * when the network measures it. The series are named {@code training loss}, {@code validation
     * loss}, {@code training accuracy} and {@code validation accuracy}.
     */
    public static Chart curves(String network, History history) {
        List<EpochRecord> epochs = history.epochs();
        double[] x = epochs.stream().mapToDouble(EpochRecord::epoch).toArray();
        List<Chart.Panel> panels = new ArrayList<>();
        panels.add(panel(network + ": loss", "loss", x, epochs, EpochRecord::loss, EpochRecord::valLoss));
        if (epochs.stream().anyMatch(e -> Double.isFinite(e.accuracy()))) {
            panels.add(panel(network + ": accuracy", "accuracy", x, epochs, EpochRecord::accuracy,
                    EpochRecord::valAccuracy));
        }
        return new Chart(panels);
    }

    /**
     * The loss of each step of a range test against its learning rate on a log axis, raw and
     * smoothed ({@code loss}, {@code smoothed loss}), with the suggested rate marked. The y axis
     * ends a little above where the smoothed loss began, so that the divergence at the end does
     * not flatten the rest.
     */
    public static Chart rangeTest(String network, RangeTestResult result) {
        double[] smoothed = result.smoothed();
        double low = Double.POSITIVE_INFINITY;
        double start = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < smoothed.length; i++) {
            low = Math.min(low, smoothed[i]);
            if (i <= result.minimumIndex()) {
                start = Math.max(start, smoothed[i]);
            }
        }
        double span = Math.max(start - low, Math.abs(start) * 1e-3 + 1e-12);
        double[] yRange = {low - span * 0.1, start + span * 0.25};
        List<Chart.Series> series = List.of(
                new Chart.Series("loss", "#9ecae1", 1, result.rates(), result.losses()),
                new Chart.Series("smoothed loss", "#d62728", 2.5, result.rates(), smoothed));
        String label = result.lossFell()
                ? String.format(Locale.ROOT, "suggested %.2g", result.suggestedRate()) : "";
        return new Chart(List.of(new Chart.Panel(network + ": learning-rate range test", "learning rate (log scale)",
                "loss", true, series, yRange, result.lossFell() ? result.suggestedRate() : Double.NaN, label)));
    }

    private static Chart.Panel panel(String title, String quantity, double[] x, List<EpochRecord> epochs,
            ToDoubleFunction<EpochRecord> training, ToDoubleFunction<EpochRecord> validation) {
        List<Chart.Series> series = new ArrayList<>();
        series.add(new Chart.Series("training " + quantity, TRAINING, 2, x, epochs.stream().mapToDouble(training).toArray()));
        double[] val = epochs.stream().mapToDouble(validation).toArray();
        if (Arrays.stream(val).anyMatch(Double::isFinite)) {
            series.add(new Chart.Series("validation " + quantity, VALIDATION, 2, x, val));
        }
        return new Chart.Panel(title, "epoch", quantity, false, series, null, Double.NaN, "");
    }
}
