package org.dnnc.runtime.train;

import java.io.Console;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The default {@link TrainingListener}: shows how training goes. On a terminal it redraws one line
 * per epoch in place (with {@code \r}, at most ten times a second), then leaves the epoch's summary:
 *
 * <pre>
 * epoch 3/10 [====&gt;     ] 412/938  18,320 img/s  loss 0.4123  acc 0.851  ETA 0:12
 * </pre>
 *
 * Elsewhere (a log file, CI, a pipe, or when {@code NO_COLOR} asks for plain output) it writes one
 * line per epoch, plus a progress line every ten seconds of a long epoch. Throughput is counted in
 * images ({@code img/s}) for image inputs {@code [C, H, W]}, otherwise in examples ({@code ex/s}).
 */
public final class ProgressBar implements TrainingListener {
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final long PLAIN_LINE_NANOS = 10_000_000_000L;
    private static final int BAR_WIDTH = 10;

    private final PrintStream out;
    private final boolean interactive;
    private final LongSupplier nanoTime;

    private TrainingPlan plan;
    private String unit;
    private long epochStart;
    /** When the last in-place line or plain progress line was written. */
    private long lastOutput;
    private boolean drawnThisEpoch;
    /** Length of the line on screen, to blank out what a shorter redraw leaves behind. */
    private int drawnLength;
    private int batchesDone;

    /**
     * @param out where to write
     * @param interactive whether {@code out} is a terminal that understands {@code \r}
     * @param nanoTime the clock, {@code System::nanoTime} but in tests
     */
    public ProgressBar(PrintStream out, boolean interactive, LongSupplier nanoTime) {
        this.out = out;
        this.interactive = interactive;
        this.nanoTime = nanoTime;
    }

    /**
     * A progress bar on standard output, redrawn in place when that is a terminal, unless {@code
     * NO_COLOR} is set or {@code TERM} is {@code dumb}.
     */
    public static ProgressBar auto() {
        boolean plain = System.getenv("NO_COLOR") != null || "dumb".equals(System.getenv("TERM"));
        return new ProgressBar(System.out, !plain && onTerminal(), System::nanoTime);
    }

    /** Whether standard output is a terminal. */
    static boolean onTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // From JDK 22 on there is a console even when output is redirected; isTerminal() tells.
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // before JDK 22, a console exists only on a terminal
        }
    }

    @Override
    public void onTrainBegin(TrainingPlan plan) {
        this.plan = plan;
        this.unit = plan.inputShape().size() == 3 ? "img/s" : "ex/s";
        StringBuilder line = new StringBuilder(plan.network()).append(": ")
                .append(String.format(Locale.ROOT, "%,d training examples", plan.trainExamples()));
        if (plan.validationExamples() > 0) {
            line.append(String.format(Locale.ROOT, ", %,d validation", plan.validationExamples()));
        }
        line.append(String.format(Locale.ROOT, ", %,d batches of %d per epoch, %d epoch%s", plan.batchesPerEpoch(),
                plan.batchSize(), plan.epochs(), plan.epochs() == 1 ? "" : "s"));
        out.println(line);
        out.flush();
    }

    @Override
    public void onEpochBegin(int epoch) {
        epochStart = nanoTime.getAsLong();
        lastOutput = epochStart;
        drawnThisEpoch = false;
        drawnLength = 0;
        batchesDone = 0;
    }

    @Override
    public void onBatchEnd(BatchProgress p) {
        batchesDone = p.batch();
        boolean lastBatch = p.batch() == p.batchesPerEpoch();
        long now = nanoTime.getAsLong();
        if (interactive) {
            // Always draw the full bar, which stays up while validation runs.
            if (!drawnThisEpoch || lastBatch || now - lastOutput >= REDRAW_NANOS) {
                redraw(progressLine(p, now, true));
                lastOutput = now;
                drawnThisEpoch = true;
            }
        } else if (!lastBatch && now - lastOutput >= PLAIN_LINE_NANOS) {
            out.println(progressLine(p, now, false));
            out.flush();
            lastOutput = now;
        }
    }

    @Override
    public void onEpochEnd(EpochRecord e) {
        StringBuilder line = new StringBuilder();
        line.append(String.format(Locale.ROOT, "epoch %d/%d", e.epoch(), plan.epochs()));
        if (interactive) {
            line.append(' ').append(bar(batchesDone, plan.batchesPerEpoch()));
        } else {
            line.append(' ');
        }
        line.append(String.format(Locale.ROOT, " %d/%d  %s  %,.0f %s  loss %.4f", batchesDone, plan.batchesPerEpoch(),
                duration(e.seconds()), e.examplesPerSecond(), unit, e.loss()));
        if (plan.hasAccuracy()) {
            line.append(String.format(Locale.ROOT, "  acc %.3f", e.accuracy()));
        }
        if (plan.validationExamples() > 0) {
            line.append(String.format(Locale.ROOT, "  val_loss %.4f", e.valLoss()));
            if (plan.hasAccuracy()) {
                line.append(String.format(Locale.ROOT, "  val_acc %.3f", e.valAccuracy()));
            }
        }
        if (interactive) {
            redraw(line.toString());
            out.println();
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void onTrainEnd(History history) {
        out.println(history.stopMessage());
        out.flush();
    }

    /** The line shown during an epoch, with a bar when drawn in place. */
    private String progressLine(BatchProgress p, long now, boolean withBar) {
        double elapsed = (now - epochStart) / 1e9;
        StringBuilder line = new StringBuilder();
        line.append(String.format(Locale.ROOT, "epoch %d/%d ", p.epoch(), p.epochs()));
        if (withBar) {
            line.append(bar(p.batch(), p.batchesPerEpoch()));
        }
        line.append(String.format(Locale.ROOT, " %d/%d  %,.0f %s  loss %.4f", p.batch(), p.batchesPerEpoch(),
                p.epochExamples() / elapsed, unit, p.epochLoss()));
        if (plan.hasAccuracy()) {
            line.append(String.format(Locale.ROOT, "  acc %.3f", p.epochAccuracy()));
        }
        double remaining = elapsed / p.batch() * (p.batchesPerEpoch() - p.batch());
        line.append("  ETA ").append(clock(remaining));
        return line.toString();
    }

    /** Overwrites the current terminal line with {@code line}, blanking the rest of a longer previous one. */
    private void redraw(String line) {
        StringBuilder text = new StringBuilder(line.length() + 1).append('\r').append(line);
        for (int i = line.length(); i < drawnLength; i++) {
            text.append(' ');
        }
        drawnLength = line.length();
        out.print(text);
        out.flush();
    }

    /** {@code [====>     ]}: one {@code =} per tenth done, an arrow at the front until the end. */
    static String bar(int done, int total) {
        int filled = (int) ((long) done * BAR_WIDTH / total);
        StringBuilder bar = new StringBuilder(BAR_WIDTH + 2).append('[');
        for (int i = 0; i < BAR_WIDTH; i++) {
            bar.append(i < filled ? '=' : i == filled ? '>' : ' ');
        }
        return bar.append(']').toString();
    }

    /** A wall time as {@code 4.2s} under a minute, else as a clock. */
    private static String duration(double seconds) {
        return seconds < 59.95 ? String.format(Locale.ROOT, "%.1fs", seconds) : clock(seconds);
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour on. */
    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
