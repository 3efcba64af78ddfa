package org.dnnc.runtime.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import org.dnnc.runtime.Device;

/**
 * One training step of a small MLP on the CPU kernels, run in a child JVM by {@code
 * CpuPathLoadsNoCudaTest} to list the classes it loads. Prints the loss.
 */
public final class CpuStepMain {

    private CpuStepMain() {}

    /** Runs the step. */
    public static void main(String[] args) {
        if (Device.valueOf("CPU") != Device.CPU) {
            throw new AssertionError();
        }
        int batch = 4;
        int in = 6;
        int hidden = 5;
        int classes = 3;
        Rng rng = new Rng(1);
        Buf x = Buf.allocate(batch * in);
        Buf w1 = Buf.allocate(hidden * in);
        Buf b1 = Buf.allocate(hidden);
        Buf w2 = Buf.allocate(classes * hidden);
        Buf b2 = Buf.allocate(classes);
        for (Buf b : new Buf[] {x, w1, w2}) {
            for (int i = 0; i < b.size(); i++) {
                b.set(i, (float) rng.nextGaussian());
            }
        }
        IntBuffer labels = ByteBuffer.allocateDirect(batch * 4).order(ByteOrder.nativeOrder()).asIntBuffer();
        for (int r = 0; r < batch; r++) {
            labels.put(r, r % classes);
        }
        Buf h = Buf.allocate(batch * hidden);
        Buf logits = Buf.allocate(batch * classes);
        Dense.forward(x, w1, b1, h, batch, in, hidden, Activation.RELU, 0f);
        Dense.forward(h, w2, b2, logits, batch, hidden, classes, Activation.IDENTITY, 0f);
        float loss = Losses.softmaxCrossEntropy(logits, labels, logits, batch, classes);
        Buf dw2 = Buf.allocate(w2.size());
        Buf dh = Buf.allocate(h.size());
        Dense.backwardWeights(logits, h, dw2, batch, hidden, classes, false);
        Dense.backwardInput(logits, w2, dh, batch, hidden, classes, false);
        Buf m = Buf.allocate(w2.size());
        Buf v = Buf.allocate(w2.size());
        Optimizers.adam(w2, dw2, m, v, w2.size(), 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 0f, 1);
        System.out.println("loss " + loss);
    }
}
