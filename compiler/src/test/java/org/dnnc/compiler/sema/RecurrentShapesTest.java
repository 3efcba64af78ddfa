package org.dnnc.compiler.sema;

import static com.google.common.truth.Truth.assertThat;

import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.ir.AdditiveAttention;
import org.dnnc.compiler.ir.AttentionWeights;
import org.dnnc.compiler.ir.Recurrent;
import org.junit.jupiter.api.Test;

/**
 * Recurrent layers over [time, features] sequences, with PyTorch's parameters: for G gates (1 for
 * rnn, 4 for lstm, 3 for gru) and hidden size H over F features, {@code weight_ih_l0 [G*H, F]},
 * {@code weight_hh_l0 [G*H, H]}, {@code bias_ih_l0 [G*H]}, {@code bias_hh_l0 [G*H]}. The result is
 * the last state {@code [H]} or, with {@code return_sequences}, every state {@code [T, H]}.
 */
class RecurrentShapesTest extends ShapeTestSupport {

    @Test
    @Covers("lstm")
    void lstmReturnsItsLastStateWithFourGatesOfWeights() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[T <= 200, 32];
                    output last = x -> lstm(64);
                    output all = x -> lstm(hidden: 64, return_sequences: true);
                }
                """);
        assertThat(type(m, "last")).isEqualTo("f32[N,64]");
        assertThat(type(m, "all")).isEqualTo("f32[N,T,64]");
        // 4 gates * 64 = 256 rows
        assertThat(params(m)).containsExactly(
                "last.lstm1.weight_ih_l0", "f32[256,32]",
                "last.lstm1.weight_hh_l0", "f32[256,64]",
                "last.lstm1.bias_ih_l0", "f32[256]",
                "last.lstm1.bias_hh_l0", "f32[256]",
                "all.lstm1.weight_ih_l0", "f32[256,32]",
                "all.lstm1.weight_hh_l0", "f32[256,64]",
                "all.lstm1.bias_ih_l0", "f32[256]",
                "all.lstm1.bias_hh_l0", "f32[256]").inOrder();
        assertThat(op(m, "all")).isEqualTo(new Recurrent(org.dnnc.compiler.ir.CellKind.LSTM, 64, true, false));
    }

    @Test
    @Covers("gru")
    void gruHasThreeGates() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[10, 8];
                    output last = x -> gru(16);
                    output all = x -> gru(16, return_sequences: true);
                }
                """);
        assertThat(type(m, "last")).isEqualTo("f32[N,16]");
        assertThat(type(m, "all")).isEqualTo("f32[N,10,16]"); // a fixed length stays fixed
        // 3 gates * 16 = 48 rows
        assertThat(params(m)).containsEntry("last.gru1.weight_ih_l0", "f32[48,8]");
        assertThat(params(m)).containsEntry("last.gru1.weight_hh_l0", "f32[48,16]");
        assertThat(params(m)).containsEntry("last.gru1.bias_ih_l0", "f32[48]");
        assertThat(params(m)).containsEntry("last.gru1.bias_hh_l0", "f32[48]");
    }

    @Test
    @Covers("rnn")
    void simpleRnnHasOneGate() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[T <= 7, 3];
                    output y = x -> rnn(5, return_sequences: true) -> rnn(2, init: he_uniform);
                }
                """);
        assertThat(type(m, "y")).isEqualTo("f32[N,2]");
        assertThat(params(m)).containsExactly(
                "y.rnn1.weight_ih_l0", "f32[5,3]", "y.rnn1.weight_hh_l0", "f32[5,5]",
                "y.rnn1.bias_ih_l0", "f32[5]", "y.rnn1.bias_hh_l0", "f32[5]",
                "y.rnn2.weight_ih_l0", "f32[2,5]", "y.rnn2.weight_hh_l0", "f32[2,2]",
                "y.rnn2.bias_ih_l0", "f32[2]", "y.rnn2.bias_hh_l0", "f32[2]").inOrder();
        assertThat(inits(m)).containsEntry("y.rnn2.weight_ih_l0", "he_uniform");
        assertThat(inits(m)).containsEntry("y.rnn2.bias_hh_l0", "zeros");
        assertThat(inits(m)).containsEntry("y.rnn1.weight_hh_l0", "glorot_uniform");
    }

    @Test
    @Covers({"bidirectional", "lstm"})
    void bidirectionalDoublesTheFeaturesAndHasReverseWeights() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[T <= 50, 64];
                    output y = x -> bidirectional(lstm(64, return_sequences: true));
                    output z = y -> lstm(32);
                }
                """);
        assertThat(type(m, "y")).isEqualTo("f32[N,T,128]"); // 64 forwards + 64 backwards
        assertThat(type(m, "z")).isEqualTo("f32[N,32]");
        assertThat(params(m)).containsAtLeast(
                "y.bidirectional1.weight_ih_l0", "f32[256,64]",
                "y.bidirectional1.weight_hh_l0", "f32[256,64]",
                "y.bidirectional1.bias_ih_l0", "f32[256]",
                "y.bidirectional1.bias_hh_l0", "f32[256]",
                "y.bidirectional1.weight_ih_l0_reverse", "f32[256,64]",
                "y.bidirectional1.weight_hh_l0_reverse", "f32[256,64]",
                "y.bidirectional1.bias_ih_l0_reverse", "f32[256]",
                "y.bidirectional1.bias_hh_l0_reverse", "f32[256]",
                "z.lstm1.weight_ih_l0", "f32[128,128]").inOrder(); // 4 * 32 rows over 128 features
        assertThat(ops(m)).containsExactly("lstm", "lstm", "concat", "lstm").inOrder();
    }

    @Test
    @Covers({"bidirectional", "gru", "rnn"})
    void bidirectionalOfLastStates() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[T <= 50, 6];
                    output g = x -> bidirectional(gru(8));
                    output r = x -> bidirectional(layer: rnn(3));
                    output gs = x -> gru(4);
                    output rs = x -> rnn(4);
                }
                """);
        assertThat(type(m, "g")).isEqualTo("f32[N,16]");
        assertThat(type(m, "r")).isEqualTo("f32[N,6]");
        assertThat(params(m)).containsEntry("g.bidirectional1.weight_ih_l0_reverse", "f32[24,6]");
        assertThat(params(m)).containsEntry("r.bidirectional1.weight_hh_l0_reverse", "f32[3,3]");
        assertThat(params(m).keySet().stream().filter(k -> k.startsWith("g.")).count()).isEqualTo(8);
    }

    @Test
    @Covers({"embedding", "bidirectional", "lstm", "attention", "dropout", "dense", "softmax", "cross_entropy"})
    void sentimentExample() {
        NetworkModel m = compileOk("""
                network SentimentLstm {
                    input tokens: int[T <= 200];
                    input label: int;
                    states = tokens -> embedding(vocab: 20000, dim: 64)
                                    -> bidirectional(lstm(64, return_sequences: true));
                    summary = states -> lstm(128);
                    context = summary -> attention(states, units: 64);
                    logits = context -> dropout(0.3) -> dense(2);
                    output probs = softmax(logits);
                    train { loss = cross_entropy(logits, label); }
                }
                """);
        assertThat(type(m, "probs")).isEqualTo("f32[N,2]");
        assertThat(type(m, "loss")).isEqualTo("f32[]");
        assertThat(params(m)).containsEntry("states.bidirectional1.weight_ih_l0", "f32[256,64]");
        assertThat(params(m)).containsEntry("summary.lstm1.weight_ih_l0", "f32[512,128]");
        // W: [units, query + values] = [64, 128 + 128]; v: [units]
        assertThat(params(m)).containsEntry("context.attention1.weight", "f32[64,256]");
        assertThat(params(m)).containsEntry("context.attention1.score", "f32[64]");
        assertThat(params(m)).containsEntry("logits.dense1.weight", "f32[2,128]");
    }

    @Test
    @Covers("attention")
    void attentionReturnsAContextOfTheValuesSize() {
        NetworkModel m = compileOk("""
                network N {
                    input q: float[6];
                    input v: float[T <= 10, 4];
                    output a = q -> attention(v, units: 3);
                    output b = attention(q, v, 2, init: zeros);
                }
                """);
        assertThat(type(m, "a")).isEqualTo("f32[N,4]");
        assertThat(type(m, "b")).isEqualTo("f32[N,4]");
        assertThat(params(m)).containsExactly(
                "a.attention1.weight", "f32[3,10]", "a.attention1.score", "f32[3]",
                "b.attention1.weight", "f32[2,10]", "b.attention1.score", "f32[2]").inOrder();
        assertThat(inits(m)).containsEntry("b.attention1.weight", "zeros");
    }

    @Test
    @Covers({"attention", "attention_weights"})
    void attentionOfEveryQueryOverValuesOfTheirOwnLengths() {
        NetworkModel m = compileOk("""
                network N {
                    input q: float[S <= 7, 6];
                    input v: float[T <= 10, 4];
                    input length: int;
                    context = q -> attention(v, length, units: 3);
                    output c = context;
                    output w = attention_weights(context);
                    output single = attention_weights(q -> gru(5) -> attention(v, units: 2));
                }
                """);
        assertThat(type(m, "c")).isEqualTo("f32[N,S,4]");
        assertThat(type(m, "w")).isEqualTo("f32[N,S,T]");
        assertThat(type(m, "single")).isEqualTo("f32[N,T]");
        assertThat(op(m, "c")).isEqualTo(new AdditiveAttention(3, true));
        assertThat(op(m, "w")).isEqualTo(new AttentionWeights(new AdditiveAttention(3, true)));
        assertThat(params(m)).containsEntry("context.attention1.weight", "f32[3,10]");
    }

    @Test
    @Covers({"lstm", "repeat", "dense"})
    void encoderDecoder() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[T <= 30, 5];
                    code = x -> lstm(32);
                    output y = code -> repeat(10) -> lstm(16, return_sequences: true) -> dense(4);
                }
                """);
        assertThat(type(m, "y")).isEqualTo("f32[N,10,4]");
        assertThat(params(m)).containsEntry("y.lstm1.weight_ih_l0", "f32[64,32]");
    }

    @Test
    @Covers({"gru", "bidirectional"})
    void sequencesOfTheirOwnLengths() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[T <= 20, 3];
                    input length: int;
                    output last = x -> gru(length, 8);
                    output both = x -> bidirectional(length, lstm(4, return_sequences: true));
                }
                """);
        assertThat(type(m, "last")).isEqualTo("f32[N,8]");
        assertThat(type(m, "both")).isEqualTo("f32[N,T,8]");
        assertThat(op(m, "last")).isEqualTo(new Recurrent(org.dnnc.compiler.ir.CellKind.GRU, 8, false, false, true));
        assertThat(ops(m)).containsExactly("gru", "lstm", "lstm", "concat").inOrder();
    }

    @Test
    @Covers({"rnn", "bidirectional"})
    void reluCells() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[T <= 20, 3];
                    output y = x -> rnn(4, activation: relu);
                    output z = x -> bidirectional(rnn(2, activation: relu, return_sequences: true));
                }
                """);
        assertThat(op(m, "y")).isEqualTo(new Recurrent(org.dnnc.compiler.ir.CellKind.RNN_RELU, 4, false, false));
        assertThat(ops(m)).containsExactly("rnn_relu", "rnn_relu", "rnn_relu", "concat").inOrder();
        assertThat(params(m)).containsEntry("y.rnn1.weight_hh_l0", "f32[4,4]");
    }

    // ---- errors --------------------------------------------------------------------------------

    @Test
    void lengthsThatAreNotAnIntPerExample() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[T <= 20, 3];
                    input length: float[1];
                    output y = x -> lstm(length, 4);
                }
                """, "`lstm` takes each sequence's length as its second input, an `int` per example, got [1] (f32[N,1])"
                + " from input `length`", 4, 21);
        assertThat(d.hints()).containsExactly("declare the lengths as `input length: int;`");
    }

    @Test
    void attentionLengthsThatAreNotAnIntPerExample() {
        Diagnostic d = assertError("""
                network N {
                    input q: float[6];
                    input v: float[T <= 10, 4];
                    input length: float;
                    output c = q -> attention(v, length, units: 3);
                }
                """, "`attention` takes each sequence's length as its third input, an `int` per example, got []"
                + " (f32[N]) from input `length`", 5, 21);
        assertThat(d.hints()).containsExactly("declare the lengths as `input length: int;`");
    }

    @Test
    void attentionWeightsOfSomethingElse() {
        Diagnostic d = assertError("""
                network N {
                    input v: float[T <= 10, 4];
                    output w = attention_weights(v -> gru(3));
                }
                """, "`attention_weights` takes the result of an `attention` or an `attention_decoder`, got [3] from"
                + " `gru`", 3, 16);
        assertThat(d.hints()).containsExactly("name the context, `ctx = query -> attention(values, units: 32);`, and"
                + " write `attention_weights(ctx)`");
    }

    @Test
    void attentionOfAnImage() {
        Diagnostic d = assertError("""
                network N {
                    input q: float[1, 4, 4];
                    input v: float[T <= 10, 4];
                    output c = q -> attention(v, units: 3);
                }
                """, "`attention` needs a query [features] or queries [time, features], and values [time, features]"
                + " per example, got [1,4,4] and [T,4]", 4, 21);
        assertThat(d.hints()).containsExactly("write `query -> attention(values, units: 32)`");
    }

    @Test
    void lstmOfAVector() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[5];
                    output y = x -> lstm(3);
                }
                """, "`lstm` needs a sequence [time, features] per example, got [5] (f32[N,5]) from input `x`", 3, 21);
        assertThat(d.hints()).containsExactly("use `repeat(T)` to turn a vector into a sequence");
        assertThat(notes(d)).containsExactly("2:11 this f32[N,5] comes from input `x`");
    }

    @Test
    void gruOfTokenIds() {
        Diagnostic d = assertError("""
                network N {
                    input tokens: int[T <= 9];
                    output y = tokens -> gru(3);
                }
                """, "`gru` needs sequences of floats, got i32[N,T] from input `tokens`", 3, 26);
        assertThat(d.hints()).containsExactly("integer inputs are class labels or token ids; use `embedding` for ids");
    }

    @Test
    void recurrentLayerOverAVariableFeatureCount() {
        assertError("""
                network N {
                    input x: float[T <= 9, F <= 4];
                    output y = x -> rnn(3);
                }
                """, "`rnn` needs a fixed feature count, but it is `F`", 3, 21);
    }

    @Test
    void bidirectionalOfADenseLayer() {
        assertError("""
                network N {
                    input x: float[T <= 9, 4];
                    output y = x -> bidirectional(dense(3));
                }
                """, "argument `layer` of `bidirectional` must be a layer (rnn, lstm, gru), got a layer (`dense`)", 3, 35);
    }

    @Test
    void bidirectionalOfALayerWithoutItsSize() {
        assertError("""
                network N {
                    input x: float[T <= 9, 4];
                    output y = x -> bidirectional(lstm);
                }
                """, "`lstm` needs argument `hidden` (size of the hidden state)", 3, 35);
    }

    @Test
    void attentionWithVectorValues() {
        Diagnostic d = assertError("""
                network N {
                    input q: float[5];
                    input v: float[5];
                    output y = q -> attention(v, units: 3);
                }
                """, "`attention` needs a query [features] or queries [time, features], and values [time, features]"
                + " per example, got [5] and [5]", 4, 21);
        assertThat(d.hints()).containsExactly("write `query -> attention(values, units: 32)`");
        assertThat(notes(d)).containsExactly("2:11 this f32[N,5] comes from input `q`", "3:11 this f32[N,5] comes from input `v`")
                .inOrder();
    }

    @Test
    void attentionWithoutValues() {
        assertError("""
                network N {
                    input q: float[5];
                    output y = q -> attention(units: 3);
                }
                """, "`attention` takes 2 to 3 inputs, got 1 (write `a -> attention(b)` or `attention(a, b)`)", 3, 21);
    }

    /** 4 gates of 10^9 rows do not fit an int: an error, not a negative dimension. */
    @Test
    void hugeHiddenSize() {
        assertError("""
                network N {
                    input x: float[T <= 9, 4];
                    output y = x -> lstm(1000000000);
                }
                """, "`lstm`: hidden size 1000000000 is too large (4 gates of 1000000000 rows overflow the weights)", 3, 21);
    }

    /** A batch of one is the only one whose query of 2147483647 features is a tensor. */
    @Test
    void hugeAttentionInput() {
        assertError("""
                network N {
                    input q: float[1];
                    input v: float[T <= 5, 4];
                    input t: float[4];
                    y = q -> dense(2147483647) -> attention(v, units: 3);
                    train {
                        loss  = mse(y, t);
                        batch = 1;
                    }
                }
                """, "`attention`: the query (2147483647) and the values (4) have too many features together", 5, 35);
    }
}
