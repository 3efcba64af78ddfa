package org.dnnc.compiler.target;

import org.dnnc.compiler.ir.Conv2dGradInput;
import org.dnnc.compiler.ir.Conv2dGradWeight;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Layout;
import org.dnnc.compiler.ir.Node;

/**
 * The layouts of a convolution call's activations, as the runtime's {@code Conv2d} takes them:
 * {@code in} of the convolution's input side (x, or the input gradient dx), {@code out} of its
 * output side (y, or the output gradient dz).
 */
public record ConvLayouts(Layout in, Layout out) {

    /** The layouts of the call of {@code n}, a convolution or one of its gradients, in {@code program}. */
    public static ConvLayouts of(Graph program, Node n) {
        if (n.op() instanceof Conv2dGradInput) {
            return new ConvLayouts(program.layout(n.id()), program.layout(n.inputs().get(0)));
        }
        if (n.op() instanceof Conv2dGradWeight) {
            return new ConvLayouts(program.layout(n.inputs().get(1)), program.layout(n.inputs().get(0)));
        }
        return new ConvLayouts(program.layout(n.inputs().get(0)), program.layout(n.id()));
    }

    /** Whether either side is blocked, so that the call takes layouts and runs oneDNN. */
    public boolean blocked() {
        return in != Layout.NCHW || out != Layout.NCHW;
    }

    /**
     * Floats of scratch the call needs, before its algorithm's, for the runtime's fallback that
     * reorders example by example: one example's input where it is blocked and one example's output
     * where that is (the runtime's {@code Conv2d.layoutScratchFloats}).
     */
    long scratchFloats(ConvShape s) {
        long input = in == Layout.NCHW16C ? (long) s.channels() * s.height() * s.width() : 0;
        long output = out == Layout.NCHW16C ? (long) s.filters() * s.spatial() : 0;
        return input + output;
    }
}
