package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.IntBuffer;
import org.junit.jupiter.api.Test;

/**
 * Cross-entropy that ignores a label (PyTorch's {@code ignore_index}): the loss and the gradient of
 * the other rows are those of the plain loss over just those rows, the ignored rows get a zero
 * gradient, and accuracy counts only the other rows.
 */
class IgnoredLabelsTest {
    private static final int CLASSES = 4;

    @Test
    void theIgnoredRowsTakeNoPart() {
        Rng rng = new Rng(5);
        int[] labels = {2, 0, 3, 0, 1, 0};
        int rows = labels.length;
        Buf logits = Buf.allocate(rows * CLASSES);
        for (int i = 0; i < logits.size(); i++) {
            logits.set(i, (float) rng.nextGaussian());
        }
        Buf grad = Buf.allocate(logits.size());
        float loss = Losses.softmaxCrossEntropy(logits, IntBuffer.wrap(labels), grad, rows, CLASSES, 0);

        int[] kept = {0, 2, 4};
        Buf keptLogits = Buf.allocate(kept.length * CLASSES);
        int[] keptLabels = new int[kept.length];
        for (int k = 0; k < kept.length; k++) {
            keptLabels[k] = labels[kept[k]];
            for (int c = 0; c < CLASSES; c++) {
                keptLogits.set(k * CLASSES + c, logits.get(kept[k] * CLASSES + c));
            }
        }
        Buf keptGrad = Buf.allocate(keptLogits.size());
        float expected = Losses.softmaxCrossEntropy(keptLogits, IntBuffer.wrap(keptLabels), keptGrad, kept.length,
                CLASSES);
        assertThat(loss).isWithin(1e-6f).of(expected);
        assertThat(Losses.softmaxCrossEntropyLoss(logits, IntBuffer.wrap(labels), rows, CLASSES, 0)).isEqualTo(loss);
        for (int r = 0, k = 0; r < rows; r++) {
            for (int c = 0; c < CLASSES; c++) {
                float g = grad.get(r * CLASSES + c);
                if (labels[r] == 0) {
                    assertThat(g).isEqualTo(0f);
                } else {
                    assertThat(g).isWithin(1e-7f).of(keptGrad.get(k * CLASSES + c));
                }
            }
            k += labels[r] == 0 ? 0 : 1;
        }

        int correct = Losses.countCorrect(logits, IntBuffer.wrap(labels), rows, CLASSES, 0);
        assertThat(correct).isEqualTo(Losses.countCorrect(keptLogits, IntBuffer.wrap(keptLabels), kept.length,
                CLASSES));
        assertThat(Losses.judged(IntBuffer.wrap(labels), rows, 0)).isEqualTo(3);
    }

    @Test
    void anIgnoredLabelNeedNotBeAClassAndAllIgnoredIsZero() {
        int[] labels = {-100, -100};
        Buf logits = Buf.of(1, 2, 3, 4, 5, 6, 7, 8);
        Buf grad = Buf.of(9, 9, 9, 9, 9, 9, 9, 9);
        assertThat(Losses.softmaxCrossEntropy(logits, IntBuffer.wrap(labels), grad, 2, CLASSES, -100)).isEqualTo(0f);
        assertThat(grad.toArray()).isEqualTo(new float[8]);
        assertThat(Losses.softmaxCrossEntropyLoss(logits, IntBuffer.wrap(labels), 2, CLASSES, -100)).isEqualTo(0f);
    }

    @Test
    void theLossOnlyKernelRefusesALabelOutsideTheClasses() {
        Buf logits = Buf.of(1, 2, 3, 4, 5, 6, 7, 8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Losses.softmaxCrossEntropyLoss(logits, IntBuffer.wrap(new int[] {1, 4}), 2, CLASSES, -100));
        assertThat(e).hasMessageThat().isEqualTo("label 4 of example 1 is not a class in [0, 4)");
    }
}
