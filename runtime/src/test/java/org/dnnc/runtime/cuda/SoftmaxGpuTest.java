package org.dnnc.runtime.cuda;

import static com.google.common.truth.Truth.assertThat;

import java.nio.IntBuffer;
import org.dnnc.runtime.cpu.Buf;
import org.dnnc.runtime.cpu.Losses;
import org.dnnc.runtime.cpu.Softmax;
import org.junit.jupiter.api.Test;

/** Softmax, log-softmax and softmax cross-entropy against their CPU twins. */
class SoftmaxGpuTest extends GpuTestSupport {

    @Test
    void softmaxAndLogSoftmaxMatchTheCpu() {
        // 45 columns: more than a warp, so each lane handles two.
        int rows = 19;
        int cols = 45;
        Buf x = Buf.of(uniform(rows * cols, 5));
        Buf g = Buf.of(uniform(rows * cols, 1));
        Buf y = Buf.allocate(rows * cols);
        Buf dx = Buf.allocate(rows * cols);
        DevBuf dyv = device(rows * cols);
        DevBuf ddx = device(rows * cols);
        Softmax.forward(x, y, rows, cols);
        CudaSoftmax.forward(ctx, device(x), dyv, rows, cols);
        assertClose("softmax", y, dyv);
        Softmax.backward(y, g, dx, rows, cols);
        CudaSoftmax.backward(ctx, device(y), device(g), ddx, rows, cols);
        assertClose("softmax backward", dx, ddx);
        Softmax.logForward(x, y, rows, cols);
        CudaSoftmax.logForward(ctx, device(x), dyv, rows, cols);
        assertClose("log_softmax", y, dyv);
        Softmax.logBackward(y, g, dx, rows, cols);
        CudaSoftmax.logBackward(ctx, device(y), device(g), ddx, rows, cols);
        assertClose("log_softmax backward", dx, ddx);
    }

    @Test
    void crossEntropyLossGradientAndAccuracyMatchTheCpu() {
        int batch = 70;
        int classes = 10;
        Buf logits = Buf.of(uniform(batch * classes, 3));
        int[] labels = new int[batch];
        for (int r = 0; r < batch; r++) {
            labels[r] = random.nextInt(classes);
        }
        IntBuffer hostLabels = hostInts(labels);
        Buf grad = Buf.allocate(batch * classes);
        float loss = Losses.softmaxCrossEntropy(logits, hostLabels, grad, batch, classes);
        int correct = Losses.countCorrect(logits, hostLabels, batch, classes);

        DevBuf dgrad = device(batch * classes);
        DevBuf result = device(CudaLosses.RESULT_SIZE);
        CudaLosses.softmaxCrossEntropy(ctx, device(logits), deviceInts(labels), dgrad, batch, classes,
                device(CudaLosses.scratchSize(batch)), result);
        float[] r = host(result);
        assertClose("loss", new float[] {loss}, new float[] {r[0]}, 1e-6f, 1e-5f);
        assertThat(r[1]).isEqualTo((float) correct);
        assertThat(r[2]).isEqualTo((float) batch);
        assertClose("dlogits", grad, dgrad);
    }

    @Test
    void ignoredRowsTakeNoPart() {
        int batch = 12;
        int classes = 7;
        int ignore = -100;
        Buf logits = Buf.of(uniform(batch * classes, 3));
        int[] labels = new int[batch];
        for (int r = 0; r < batch; r++) {
            labels[r] = r % 3 == 0 ? ignore : random.nextInt(classes);
        }
        IntBuffer hostLabels = hostInts(labels);
        Buf grad = Buf.allocate(batch * classes);
        float loss = Losses.softmaxCrossEntropy(logits, hostLabels, grad, batch, classes, ignore);
        int correct = Losses.countCorrect(logits, hostLabels, batch, classes, ignore);

        // The gradient overwrites the logits, as generated code does.
        DevBuf dlogits = device(logits);
        DevBuf result = device(CudaLosses.RESULT_SIZE);
        CudaLosses.softmaxCrossEntropy(ctx, dlogits, deviceInts(labels), dlogits, batch, classes, ignore,
                device(CudaLosses.scratchSize(batch)), result);
        float[] r = host(result);
        assertClose("loss", new float[] {loss}, new float[] {r[0]}, 1e-6f, 1e-5f);
        assertThat(r[1]).isEqualTo((float) correct);
        assertThat(r[2]).isEqualTo((float) Losses.judged(hostLabels, batch, ignore));
        assertClose("dlogits", grad, dlogits);
    }
}
