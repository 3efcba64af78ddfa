package org.dnnc.examples.reverse;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.dnnc.runtime.train.Trainer;
import org.junit.jupiter.api.Test;

/**
 * The example as its users run it, at a small scale: the task's ids, the generated class's loss
 * falling over a few epochs of teacher forcing, and {@link Translate} printing a decoded string
 * with a grid of its attention weights.
 */
class ReverserExampleTest {

    @Test
    void theTaskReversesDigitsAndEndsWithEos() {
        Digits d = Digits.of("1203");
        assertThat(d.lengths()).asList().containsExactly(4);
        assertThat(java.util.Arrays.copyOf(d.src(), 5)).asList().containsExactly(4, 5, 3, 6, 0).inOrder();
        assertThat(java.util.Arrays.copyOf(d.tgt(), 6)).asList().containsExactly(6, 3, 5, 4, Digits.EOS, 0).inOrder();
        assertThat(Digits.text(d.tgt(), 0, Digits.TARGET)).isEqualTo("3021");
        assertThrows(IllegalArgumentException.class, () -> Digits.of("12a"));
    }

    @Test
    void trainsWithTeacherForcingAndDecodesWithItsWeights() {
        Digits train = Digits.random(1024, 5);
        try (Reverser net = Reverser.builder().threads(1).build()) {
            Trainer trainer = Reverser.trainer().epochs(3).progress(false).build();
            double before = trainer.evaluate(net, train.dataset()).loss();
            trainer.fit(net, train.dataset());
            double after = trainer.evaluate(net, train.dataset()).loss();
            // From about ln 13 = 2.6 nats per token, untrained, to clearly less.
            assertThat(before).isGreaterThan(2.2);
            assertThat(after).isLessThan(before - 0.3);

            String shown = Translate.reverse(net, "8675309");
            String[] lines = shown.split("\n");
            assertThat(lines[0]).startsWith("8675309 -> ");
            assertThat(lines[1]).isEqualTo("     8 6 7 5 3 0 9 ");
            String output = lines[0].substring("8675309 -> ".length());
            // A row per decoded digit and one for the end, each with a shade per input digit.
            assertThat(lines).hasLength(2 + output.length() + 1);
            assertThat(lines[lines.length - 1]).hasLength(5 + 2 * 7);
        }
    }
}
