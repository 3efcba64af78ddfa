package org.dnnc.runtime.cpu;

/**
 * {@link Conv2d}'s passes with an operand in {@link Layout#NCHW16C}: through oneDNN where the
 * generated call names {@link ConvAlgorithm#ONEDNN} and it may run ({@link OneDnnConv}), else by
 * dnnc's own algorithm one example at a time, each blocked operand reordered to or from NCHW in
 * the first {@link #scratchFloats} floats of the scratch and the algorithm's scratch after them.
 * That fallback is for a context of another size than OpenMP's team, a platform without oneDNN's
 * natives and {@code -Ddnnc.onednn=false}; it runs on one thread.
 */
final class BlockedConv {
    private BlockedConv() {}

    /** Floats for one example's blocked input and output in NCHW, ahead of the algorithm's scratch. */
    static int scratchFloats(ConvGeometry g, Layout in, Layout out) {
        return (in == Layout.NCHW16C ? g.inputSize() : 0) + (out == Layout.NCHW16C ? g.outputSize() : 0);
    }

    static void forward(ConvAlgorithm algorithm, ConvGeometry g, Buf x, Buf w, Buf bias, Buf y, Buf scratch,
            int batch, Activation act, float param, Layout in, Layout out) {
        Examples e = new Examples(g, scratch, batch, in, out, x, "x", y, "y");
        if (algorithm == ConvAlgorithm.ONEDNN && OneDnnConv.forward(g, x, w, bias, y, batch, act, param, in, out)) {
            return;
        }
        ConvAlgorithm rules = algorithm == ConvAlgorithm.ONEDNN ? ConvAlgorithm.forward(g) : algorithm;
        for (int n = 0; n < batch; n++) {
            Buf yn = e.output(y, n);
            Conv2d.forward(rules, g, e.input(x, n), w, bias, yn, e.rest, 1, act, param);
            e.storeOutput(yn, y, n);
        }
    }

    static void inputGradient(ConvAlgorithm algorithm, ConvGeometry g, Buf dz, Buf w, Buf dx, Buf scratch, int batch,
            boolean accumulate, Layout in, Layout out) {
        Examples e = new Examples(g, scratch, batch, in, out, dx, "dx", dz, "dz");
        if (algorithm == ConvAlgorithm.ONEDNN && !accumulate
                && OneDnnConv.inputGradient(g, dz, w, dx, batch, in, out)) {
            return;
        }
        ConvAlgorithm rules = algorithm == ConvAlgorithm.ONEDNN ? ConvAlgorithm.inputGradient(g) : algorithm;
        for (int n = 0; n < batch; n++) {
            Buf dxn = e.inputView(dx, n, accumulate);
            Conv2d.backwardInput(rules, g, e.outputOf(dz, n), w, dxn, e.rest, 1, accumulate);
            e.storeInput(dxn, dx, n);
        }
    }

    static void kernelGradient(ConvAlgorithm algorithm, ConvGeometry g, Buf dz, Buf x, Buf dw, Buf scratch, int batch,
            boolean accumulate, Layout in, Layout out) {
        Examples e = new Examples(g, scratch, batch, in, out, x, "x", dz, "dz");
        if (batch == 0 && !accumulate) {
            Elementwise.fill(dw, g.weightSize(), 0f);
            return;
        }
        if (algorithm == ConvAlgorithm.ONEDNN && !accumulate
                && OneDnnConv.kernelGradient(g, dz, x, dw, batch, in, out)) {
            return;
        }
        ConvAlgorithm rules = algorithm == ConvAlgorithm.ONEDNN ? ConvAlgorithm.weightGradient(g) : algorithm;
        for (int n = 0; n < batch; n++) {
            Conv2d.backwardWeights(rules, g, e.outputOf(dz, n), e.input(x, n), dw, e.rest, 1, accumulate || n > 0);
        }
    }

    /** The scratch split into one example's NCHW input, its NCHW output and the algorithm's scratch. */
    private static final class Examples {
        private final ConvGeometry g;
        private final Layout in;
        private final Layout out;
        private final Buf inBuf;
        private final Buf outBuf;
        final Buf rest;

        Examples(ConvGeometry g, Buf scratch, int batch, Layout in, Layout out, Buf input, String inputName,
                Buf output, String outputName) {
            in.check(g.channels());
            out.check(g.filters());
            checkSize(input, inputName, (long) batch * g.inputSize());
            checkSize(output, outputName, (long) batch * g.outputSize());
            this.g = g;
            this.in = in;
            this.out = out;
            int inFloats = in == Layout.NCHW16C ? g.inputSize() : 0;
            int outFloats = out == Layout.NCHW16C ? g.outputSize() : 0;
            int extra = inFloats + outFloats;
            if (extra > 0 && (scratch == null || scratch.size < extra)) {
                throw new IllegalArgumentException("a convolution on nChw16c operands needs " + extra
                        + " floats of scratch ahead of its algorithm's, got " + (scratch == null ? 0 : scratch.size));
            }
            inBuf = inFloats > 0 ? scratch.slice(0, inFloats) : null;
            outBuf = outFloats > 0 ? scratch.slice(inFloats, outFloats) : null;
            rest = scratch == null ? null : scratch.slice(extra, scratch.size - extra);
        }

        /** Example {@code n} of the input, in NCHW. */
        Buf input(Buf x, int n) {
            if (in == Layout.NCHW) {
                return x.slice(n * g.inputSize(), g.inputSize());
            }
            Blocked.toNchw(x, n, inBuf, 0, g.channels(), g.height() * g.width());
            return inBuf;
        }

        /** Where example {@code n} of the input gradient goes in NCHW, holding its current value when accumulating. */
        Buf inputView(Buf dx, int n, boolean accumulate) {
            if (in == Layout.NCHW) {
                return dx.slice(n * g.inputSize(), g.inputSize());
            }
            if (accumulate) {
                Blocked.toNchw(dx, n, inBuf, 0, g.channels(), g.height() * g.width());
            }
            return inBuf;
        }

        void storeInput(Buf dxn, Buf dx, int n) {
            if (in == Layout.NCHW16C) {
                Blocked.fromNchw(dxn, 0, dx, n, g.channels(), g.height() * g.width());
            }
        }

        /** Example {@code n} of the output (or its gradient), in NCHW. */
        Buf outputOf(Buf y, int n) {
            if (out == Layout.NCHW) {
                return y.slice(n * g.outputSize(), g.outputSize());
            }
            Blocked.toNchw(y, n, outBuf, 0, g.filters(), g.outHeight() * g.outWidth());
            return outBuf;
        }

        /** Where example {@code n} of the output goes in NCHW. */
        Buf output(Buf y, int n) {
            return out == Layout.NCHW ? y.slice(n * g.outputSize(), g.outputSize()) : outBuf;
        }

        void storeOutput(Buf yn, Buf y, int n) {
            if (out == Layout.NCHW16C) {
                Blocked.fromNchw(yn, 0, y, n, g.filters(), g.outHeight() * g.outWidth());
            }
        }
    }

    private static void checkSize(Buf b, String name, long needed) {
        if (b.size < needed) {
            throw new IndexOutOfBoundsException(name + " needs " + needed + " floats but its view holds " + b.size);
        }
    }
}
