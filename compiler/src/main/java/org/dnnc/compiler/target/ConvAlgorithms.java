package org.dnnc.compiler.target;

import java.util.ArrayList;
import java.util.List;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.ir.Conv2dGradInput;
import org.dnnc.compiler.ir.Conv2dGradWeight;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Layout;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Op;

/**
 * The algorithm each pass of a convolution runs on the CPU, chosen at compile time from the shape
 * and the layouts of its operands (no run decides it): the rules of the runtime's {@code
 * ConvAlgorithm}, which the generated call names, mirrored here so that the compiler needs no
 * runtime classes, or oneDNN for a call with a blocked operand ({@link #choice}). A test keeps the
 * rules in step over many shapes. {@code dnnc graph --explain} prints a line per call with the
 * choice and the reason.
 */
public final class ConvAlgorithms {

    /** Depth ({@code C*kh}) below which Winograd rows do not apply (the runtime's {@code WinogradPlan.MIN_DEPTH}). */
    private static final int MIN_DEPTH = 32;
    /** Tiles per example from which Winograd rows pay ({@code WinogradPlan.MANY_TILES}). */
    private static final int MANY_TILES = 128;
    /** {@code WinogradPlan.WIDE_FILTERS}. */
    private static final int WIDE_FILTERS = 32;
    /** {@code WinogradPlan.DEEP_TILES}: from it a forward pass of depth {@link #DEEP_DEPTH} pays. */
    private static final int DEEP_TILES = 56;
    /** {@code WinogradPlan.DEEP_DEPTH}. */
    private static final int DEEP_DEPTH = 96;
    /** Output columns per Winograd tile. */
    private static final int TILE = 4;
    /** {@code ConvAlgorithm.SMALL_MAP}. */
    static final int SMALL_MAP = 32;
    /** {@code ConvAlgorithm.BATCHED_COLUMNS}. */
    static final int BATCHED_COLUMNS = 512;

    /** The runtime's algorithms, by the names of its enum constants. */
    public enum Algorithm {
        /** One GEMM per example over its im2col matrix. */
        IM2COL,
        /** One GEMM per example on the input itself (1x1, stride 1, no padding). */
        POINTWISE,
        /** The column matrices of several examples in one GEMM. */
        IM2COL_BATCHED,
        /** Row-wise Winograd over the forward geometry. */
        WINOGRAD,
        /** The input gradient as a Winograd convolution of the output gradient with the flipped kernel. */
        WINOGRAD_TRANSPOSED,
        /**
         * oneDNN's convolution: in the inference program forward, reordered from and to NCHW on each
         * call; in any program a pass with an {@code nChw16c} operand ({@link ConvLayouts}).
         */
        ONEDNN
    }

    /** The passes of a convolution, each with its own call and choice. */
    enum Pass {
        FORWARD, INPUT_GRADIENT, KERNEL_GRADIENT;

        /** The pass that a call of {@code op}, a convolution or one of its gradients, runs. */
        static Pass of(Op op) {
            return op instanceof Conv2dGradInput ? INPUT_GRADIENT
                    : op instanceof Conv2dGradWeight ? KERNEL_GRADIENT : FORWARD;
        }

        Choice choose(ConvShape s) {
            return switch (this) {
                case FORWARD -> forward(s);
                case INPUT_GRADIENT -> inputGradient(s);
                case KERNEL_GRADIENT -> weightGradient(s);
            };
        }
    }

    /**
     * Whether {@code graph} is an inference program: declared outputs only, neither a loss (the
     * training, evaluation and as-written forward programs have one) nor gradients.
     */
    public static boolean isInference(Graph graph) {
        return graph.outputs().keySet().stream()
                .noneMatch(k -> k.equals(Differentiator.LOSS) || k.startsWith(Differentiator.GRADIENT_PREFIX));
    }

    /** An algorithm and why the rules chose it. */
    public record Choice(Algorithm algorithm, String reason) {}

    private ConvAlgorithms() {}

    /** The forward pass's algorithm. */
    public static Choice forward(ConvShape s) {
        int tiles = tiles(s.outHeight(), s.outWidth());
        if (winograd(s) && pays(tiles, s.kw(), s.filters())) {
            return winogradChoice(s, tiles);
        }
        if (winograd(s) && deepPays(s, tiles)) {
            return new Choice(Algorithm.WINOGRAD, s.kh() + "x" + s.kw() + " stride 1 with " + tiles
                    + " Winograd tiles per example at depth " + s.channels() * s.kh() + " (from " + DEEP_TILES
                    + " tiles at depth " + DEEP_DEPTH + " the forward pass beats im2col)");
        }
        return direct(s);
    }

    /**
     * The forward pass's algorithm in {@code program}: {@link #inference} in an inference program,
     * else {@link #forward(ConvShape)}.
     */
    public static Choice forward(Graph program, ConvShape s) {
        return isInference(program) ? inference(s) : forward(s);
    }

    /**
     * The forward pass in the inference program: oneDNN, whose convolutions follow each other there
     * with batch norm folded in and little else between; the runtime falls back to {@link #forward}'s
     * choice where oneDNN is not usable.
     */
    public static Choice inference(ConvShape s) {
        return new Choice(Algorithm.ONEDNN, "inference program: oneDNN's kernels, through its blocked layouts"
                + " (else " + forward(s).algorithm() + ")");
    }

    private static Choice winogradChoice(ConvShape s, int tiles) {
        return new Choice(Algorithm.WINOGRAD, s.kh() + "x" + s.kw() + " stride 1 with " + (tiles >= MANY_TILES
                ? tiles + " Winograd tiles per example (from " + MANY_TILES + " they beat im2col)"
                : s.filters() + " filters (5-wide Winograd beats im2col from " + WIDE_FILTERS + ")"));
    }

    /** The input gradient's algorithm. */
    public static Choice inputGradient(ConvShape s) {
        int tiles = tiles(s.outHeight(), s.outWidth());
        if (adjointPays(s)) {
            return new Choice(Algorithm.WINOGRAD, "adjoint of the forward Winograd rows: " + s.filters()
                    + " filters to sum over and " + tiles + " tiles per example");
        }
        if (transposedPays(s)) {
            return new Choice(Algorithm.WINOGRAD_TRANSPOSED, "transposed Winograd rows onto " + s.channels()
                    + " channels, " + tiles(s.height(), s.width()) + " tiles per example (beats col2im from "
                    + MANY_TILES + " tiles, or on small maps onto " + WIDE_FILTERS
                    + " channels or more from no more filters)");
        }
        return direct(s);
    }

    /** The kernel gradient's algorithm: the forward pass's rules but the one for deep kernels on fewer tiles. */
    public static Choice weightGradient(ConvShape s) {
        int tiles = tiles(s.outHeight(), s.outWidth());
        return winograd(s) && pays(tiles, s.kw(), s.filters()) ? winogradChoice(s, tiles) : direct(s);
    }

    /** The input gradient as the adjoint of the forward Winograd rows: those pay, over enough filters. */
    private static boolean adjointPays(ConvShape s) {
        return winograd(s) && s.filters() >= WIDE_FILTERS && pays(tiles(s.outHeight(), s.outWidth()), s.kw(),
                s.filters());
    }

    /** The input gradient as transposed Winograd rows: on many tiles, or onto enough channels from no more filters. */
    private static boolean transposedPays(ConvShape s) {
        return transposedApplies(s) && (pays(tiles(s.height(), s.width()), s.kw(), s.channels())
                || s.channels() >= WIDE_FILTERS && s.channels() >= s.filters());
    }

    /**
     * Floats of scratch for a call of {@code pass} of {@code s} split over {@code threads} threads:
     * a region per thread ({@link #regionFloats}) and for the kernel gradient a partial kernel per
     * thread but the first, or what Winograd rows need where the rules pick them and that is more
     * (the runtime's {@code Conv2d.forwardScratchFloats}, {@code inputGradientScratchFloats}, {@code
     * weightGradientScratchFloats}).
     */
    static long scratchFloats(ConvShape s, Pass pass, int threads) {
        long partials = pass == Pass.KERNEL_GRADIENT ? (threads - 1L) * s.filters() * s.patchSize() : 0;
        return Math.max(threads * regionFloats(s) + partials, winogradFloats(s, pass, threads));
    }

    /**
     * Floats of scratch that {@code pass} of {@code s} needs on {@code threads} threads where the
     * rules pick Winograd rows for it, with every output row of an example in one chunk (the
     * transformed kernel, then per thread the kernel gradient's own sums and the rows), or 0 where
     * they pick a GEMM-based algorithm: the runtime's {@code WinogradPlan.plannedFloats}.
     */
    private static long winogradFloats(ConvShape s, Pass pass, int threads) {
        Algorithm algorithm = pass.choose(s).algorithm();
        if (algorithm == Algorithm.WINOGRAD_TRANSPOSED) {
            return rowsFloats(s, s.filters(), s.channels(), s.height(), s.width(), false, threads);
        }
        if (algorithm == Algorithm.WINOGRAD) {
            return rowsFloats(s, s.channels(), s.filters(), s.outHeight(), s.outWidth(),
                    pass == Pass.KERNEL_GRADIENT, threads);
        }
        return 0;
    }

    /** Winograd rows over {@code channels} to {@code filters} onto an {@code outHeight x outWidth} map. */
    private static long rowsFloats(ConvShape s, int channels, int filters, int outHeight, int outWidth,
            boolean weights, int threads) {
        long alpha = TILE + s.kw() - 1;
        long depth = (long) channels * s.kh();
        long kernel = alpha * filters * depth;
        long tilesX = (outWidth + TILE - 1) / TILE;
        long rowFloats = alpha * (depth + filters) * tilesX;
        return (weights ? 0 : kernel) + threads * ((weights ? kernel : 0) + outHeight * rowFloats);
    }

    private static Choice direct(ConvShape s) {
        if (s.isPointwise()) {
            return new Choice(Algorithm.POINTWISE, "1x1 stride 1 without padding: a GEMM on the input, no im2col");
        }
        if (s.spatial() < SMALL_MAP) {
            return new Choice(Algorithm.IM2COL_BATCHED, s.spatial() + " output positions (under " + SMALL_MAP
                    + "): " + examplesPerGemm(s) + " examples per GEMM");
        }
        String channels = s.channels() == 1 ? "1 input channel" : s.channels() + " input channels";
        String why = s.strideH() != 1 || s.strideW() != 1 ? "strided"
                : s.kw() != 3 && s.kw() != 5 ? s.kh() + "x" + s.kw() + " kernel"
                : s.channels() * s.kh() < MIN_DEPTH ? channels + ", too shallow for Winograd"
                : !pays(tiles(s.outHeight(), s.outWidth()), s.kw(), s.filters())
                        ? tiles(s.outHeight(), s.outWidth()) + " Winograd tiles per example at depth "
                        + s.channels() * s.kh() + ", too few for this pass"
                        + " (from " + MANY_TILES + ", or for a forward pass from " + DEEP_TILES + " at depth "
                        + DEEP_DEPTH + ")"
                : !transposedApplies(s) ? s.filters() + " filters, too few for the input gradient's Winograd"
                        + " forms (the adjoint pays from " + WIDE_FILTERS + ", the transposed rows need depth "
                        + MIN_DEPTH + ")"
                : s.filters() + " filters, too few for the adjoint Winograd rows (from " + WIDE_FILTERS
                        + "), and the transposed rows onto " + s.channels() + " channels from " + s.filters()
                        + " filters on " + tiles(s.height(), s.width()) + " tiles do not pay";
        return new Choice(Algorithm.IM2COL, why + ": one GEMM per example over its im2col matrix");
    }

    /** Examples per GEMM of {@link Algorithm#IM2COL_BATCHED} ({@code ConvAlgorithm.examplesPerGemm}). */
    static int examplesPerGemm(ConvShape s) {
        return Math.max(1, (BATCHED_COLUMNS + s.spatial() - 1) / s.spatial());
    }

    /**
     * Floats of a thread's scratch region for the convolution: one example's column matrix, or, where
     * a pass runs {@link Algorithm#IM2COL_BATCHED}, its examples' column matrices and outputs if
     * larger ({@code Conv2d.scratchFloats}).
     */
    static long regionFloats(ConvShape s) {
        long columns = s.isPointwise() ? 0 : (long) s.patchSize() * s.spatial();
        boolean batched = forward(s).algorithm() == Algorithm.IM2COL_BATCHED
                || inputGradient(s).algorithm() == Algorithm.IM2COL_BATCHED
                || weightGradient(s).algorithm() == Algorithm.IM2COL_BATCHED;
        long group = batched ? (long) (s.patchSize() + s.filters()) * examplesPerGemm(s) * s.spatial() : 0;
        return Math.max(columns, group);
    }

    /** Stride 1, a 3- or 5-wide kernel, deep enough, and a row at least one tile wide. */
    private static boolean winograd(ConvShape s) {
        return s.strideH() == 1 && s.strideW() == 1 && (s.kw() == 3 || s.kw() == 5)
                && s.channels() * s.kh() >= MIN_DEPTH && s.outHeight() >= 1 && s.outWidth() >= TILE;
    }

    /** The transposed convolution: stride 1, padding under the kernel, and Winograd applies to it. */
    private static boolean transposedApplies(ConvShape s) {
        return s.strideH() == 1 && s.strideW() == 1 && s.padTop() < s.kh() && s.padBottom() < s.kh()
                && s.padLeft() < s.kw() && s.padRight() < s.kw() && (s.kw() == 3 || s.kw() == 5)
                && s.filters() * s.kh() >= MIN_DEPTH && s.width() >= TILE;
    }

    private static boolean pays(int tiles, int kw, int filters) {
        return tiles >= MANY_TILES || kw == 5 && filters >= WIDE_FILTERS;
    }

    /** The forward pass's rule for deep 3-wide kernels on {@code tiles} per example, short of {@link #MANY_TILES}. */
    private static boolean deepPays(ConvShape s, int tiles) {
        return s.kw() == 3 && s.channels() * s.kh() >= DEEP_DEPTH && tiles >= DEEP_TILES;
    }

    private static int tiles(int height, int width) {
        return height * ((width + TILE - 1) / TILE);
    }

    /**
     * The algorithm of the call of {@code n}, a convolution or one of its gradients, in {@code
     * program}: oneDNN where an operand is blocked ({@link ConvLayouts}), as only its kernels read
     * that layout whole, with the rules' choice as the runtime's fallback, which runs example by
     * example through reorders; else the rules' choice ({@link #forward(Graph, ConvShape)} for the
     * forward pass).
     *
     * @throws IllegalArgumentException if {@code n} is no convolution call
     */
    public static Choice choice(Graph program, Node n) {
        ConvShape s = ConvShape.ofCall(program, n).orElseThrow(
                () -> new IllegalArgumentException(n.op().mnemonic() + " %" + n.id() + " is no convolution"));
        Pass pass = Pass.of(n.op());
        ConvLayouts layouts = ConvLayouts.of(program, n);
        if (layouts.blocked()) {
            return new Choice(Algorithm.ONEDNN, Layout.NCHW16C.mnemonic() + " operands: oneDNN's kernels (else "
                    + pass.choose(s).algorithm() + ", example by example through reorders)");
        }
        return pass == Pass.FORWARD ? forward(program, s) : pass.choose(s);
    }

    /** One line per convolution call of {@code graph}: the pass, its node, the choice and why. */
    public static List<String> explain(Graph graph) {
        List<String> lines = new ArrayList<>();
        for (Node n : graph.nodes()) {
            ConvShape.ofCall(graph, n).ifPresent(s -> {
                Choice choice = choice(graph, n);
                lines.add(n.op().mnemonic() + " %" + n.id() + " (" + n.origin().path() + ", " + s.describe() + "): "
                        + choice.algorithm() + ", " + choice.reason());
            });
        }
        return lines;
    }
}
