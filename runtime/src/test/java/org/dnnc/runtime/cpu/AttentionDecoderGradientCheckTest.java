package org.dnnc.runtime.cpu;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.IntBuffer;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The attention decoder's backward pass against central finite differences of its forward pass
 * (see {@link FiniteDifferences}), with and without value lengths (a full one, a short one and 0),
 * from an initial state: the gradients of the inputs, the values, every weight and the initial
 * state. The objective is {@code L = r·y} for a fixed random {@code r}; gradients are accumulated
 * onto a random start, which the check subtracts. (PyTorch's {@code seq2seq_attention_step} checks
 * the generated decoder end to end.)
 */
class AttentionDecoderGradientCheckTest {
    private static final int N = 3;
    private static final DecoderGeometry G = new DecoderGeometry(3, 2, 3, 4, 2, 3);

    private final Rng rng = new Rng(29);

    @ParameterizedTest(name = "lengths={0}")
    @ValueSource(booleans = {false, true})
    void gradientsMatchFiniteDifferences(boolean withLengths) {
        IntBuffer lengths = withLengths ? IntBuffer.wrap(new int[] {4, 2, 0}) : null;
        int gh = G.gateRows();
        Buf x = random(N * G.steps() * G.inputSize(), 1f);
        Buf z = random(N * G.valueSteps() * G.valueFeatures(), 1f);
        Buf h0 = random(N * G.hidden(), 0.5f);
        Buf wIh = random(gh * (G.inputSize() + G.valueFeatures()), 0.6f);
        Buf wHh = random(gh * G.hidden(), 0.6f);
        Buf bIh = random(gh, 0.3f);
        Buf bHh = random(gh, 0.3f);
        Buf w = random(G.units() * (G.hidden() + G.valueFeatures()), 0.7f);
        Buf v = random(G.units(), 1f);
        Buf y = Buf.allocate(N * G.steps() * G.outputSize());
        Buf r = random(y.size(), 1f);
        Buf workspace = Buf.allocate(Math.toIntExact(AttentionDecoder.workspaceFloats(G, N)));
        DoubleSupplier loss = () -> {
            AttentionDecoder.forward(G, x, z, lengths, h0, wIh, wHh, bIh, bHh, w, v, y, null, workspace, N);
            return FiniteDifferences.dot(r, y);
        };
        loss.getAsDouble();
        Buf[] inputs = {x, z, wIh, wHh, bIh, bHh, w, v, h0};
        String[] names = {"dx", "dvalues", "dW_ih", "dW_hh", "db_ih", "db_hh", "dW", "dv", "dh0"};
        Buf[] starts = new Buf[inputs.length];
        Buf[] grads = new Buf[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            starts[i] = random(inputs[i].size(), 1f);
            grads[i] = Buf.of(starts[i].toArray());
        }
        AttentionDecoder.backward(G, x, z, lengths, wIh, wHh, w, v, r, workspace, grads[0], grads[1], grads[2],
                grads[3], grads[4], grads[5], grads[6], grads[7], grads[8], N, true);
        for (int i = 0; i < inputs.length; i++) {
            Buf analytic = Buf.allocate(inputs[i].size());
            for (int k = 0; k < analytic.size(); k++) {
                analytic.set(k, grads[i].get(k) - starts[i].get(k));
            }
            FiniteDifferences.check((withLengths ? "with lengths " : "") + names[i], inputs[i], analytic, loss);
        }
    }

    @Test
    void writesTheWeightsOfEveryStepAndRefusesASmallWorkspace() {
        int floats = Math.toIntExact(AttentionDecoder.workspaceFloats(G, N));
        int gh = G.gateRows();
        Buf x = random(N * G.steps() * G.inputSize(), 1f);
        Buf z = random(N * G.valueSteps() * G.valueFeatures(), 1f);
        Buf wIh = random(gh * (G.inputSize() + G.valueFeatures()), 0.6f);
        Buf wHh = random(gh * G.hidden(), 0.6f);
        Buf b = random(gh, 0.3f);
        Buf w = random(G.units() * (G.hidden() + G.valueFeatures()), 0.7f);
        Buf v = random(G.units(), 1f);
        Buf y = Buf.allocate(N * G.steps() * G.outputSize());
        Buf weights = Buf.allocate(N * G.steps() * G.valueSteps());
        IntBuffer lengths = IntBuffer.wrap(new int[] {4, 1, 3});
        AttentionDecoder.forward(G, x, z, lengths, null, wIh, wHh, b, b, w, v, y, weights, Buf.allocate(floats), N);
        for (int e = 0; e < N; e++) {
            for (int s = 0; s < G.steps(); s++) {
                double sum = 0;
                for (int j = 0; j < G.valueSteps(); j++) {
                    float a = weights.get((e * G.steps() + s) * G.valueSteps() + j);
                    assertThat(a == 0f).isEqualTo(j >= lengths.get(e));
                    sum += a;
                }
                assertThat(sum).isWithin(1e-6).of(1);
            }
        }
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> AttentionDecoder.forward(G,
                x, z, null, null, wIh, wHh, b, b, w, v, y, null, Buf.allocate(floats - 1), N));
        assertThat(small).hasMessageThat().contains("needs " + floats);
    }

    private Buf random(int n, float scale) {
        Buf b = Buf.allocate(n);
        for (int i = 0; i < n; i++) {
            b.set(i, scale * (float) rng.nextGaussian());
        }
        return b;
    }
}
