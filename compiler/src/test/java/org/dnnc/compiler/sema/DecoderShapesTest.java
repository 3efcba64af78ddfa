package org.dnnc.compiler.sema;

import static com.google.common.truth.Truth.assertThat;

import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.ir.AttentionDecoder;
import org.dnnc.compiler.ir.CellKind;
import org.dnnc.compiler.ir.Recurrent;
import org.dnnc.compiler.ir.DecoderWeights;
import org.dnnc.compiler.ir.LastStep;
import org.dnnc.compiler.ir.ShiftRight;
import org.junit.jupiter.api.Test;

/**
 * Encoder–decoders: {@code shift_right} over ids, {@code last} of a sequence, and {@code
 * attention_decoder} with its parameters ({@code weight_ih [3H, E + Dv]}, {@code weight_hh [3H,
 * H]}, biases {@code [3H]}, {@code attention_weight [A, H + Dv]}, {@code attention_score [A]}) and
 * result {@code [S, H + Dv]}; and the positioned errors of programs that misuse them.
 */
class DecoderShapesTest extends ShapeTestSupport {
    private static final String ENCODER = """
                network N {
                    input src: int[S <= 12];
                    input tgt: int[T <= 9];
                    input length: int;
                    states = src -> embedding(vocab: 20, dim: 4) -> gru(6, return_sequences: true);
                    final = states -> last(length);
                    embedded = tgt -> shift_right(fill: 1) -> embedding(vocab: 15, dim: 5);
                    %s
                }
                """;

    @Test
    @Covers({"shift_right", "last", "attention_decoder", "attention_weights"})
    void aDecoderAttendsOverTheEncodersStatesFromItsFinalOne() {
        NetworkModel m = compileOk(ENCODER.formatted("""
                    dec = embedded -> attention_decoder(states, length, gru(8), units: 3);
                    output d = dec;
                    output w = attention_weights(dec);
                    output shifted = tgt -> shift_right(fill: 1);
                    output f = final;"""));
        assertThat(type(m, "d")).isEqualTo("f32[N,T,14]");
        assertThat(type(m, "w")).isEqualTo("f32[N,T,S]");
        assertThat(type(m, "shifted")).isEqualTo("i32[N,T]");
        assertThat(type(m, "f")).isEqualTo("f32[N,6]");
        assertThat(op(m, "shifted")).isEqualTo(new ShiftRight(1));
        assertThat(op(m, "f")).isEqualTo(new LastStep(true));
        assertThat(op(m, "d")).isEqualTo(new AttentionDecoder(8, 3, false, true));
        assertThat(op(m, "w")).isEqualTo(new DecoderWeights(new AttentionDecoder(8, 3, false, true)));
        assertThat(params(m)).containsAtLeast("dec.attention_decoder1.weight_ih", "f32[24,11]",
                "dec.attention_decoder1.weight_hh", "f32[24,8]", "dec.attention_decoder1.bias_ih", "f32[24]",
                "dec.attention_decoder1.attention_weight", "f32[3,14]", "dec.attention_decoder1.attention_score",
                "f32[3]");
    }

    @Test
    void aDecoderStartsFromAStateOfItsOwnSize() {
        NetworkModel m = compileOk(ENCODER.formatted("""
                    output d = embedded -> attention_decoder(states, final, gru(6), units: 3);"""));
        assertThat(op(m, "d")).isEqualTo(new AttentionDecoder(6, 3, true, false));
    }

    @Test
    void aRecurrentLayerStartsFromAnEncodersFinalState() {
        NetworkModel m = compileOk(ENCODER.formatted("""
                    output d = embedded -> lstm(final, 6, return_sequences: true);"""));
        assertThat(op(m, "d")).isEqualTo(new Recurrent(CellKind.LSTM, 6, true, false, false, true));
        assertThat(type(m, "d")).isEqualTo("f32[N,T,6]");
    }

    @Test
    void aRecurrentLayerFromAStateOfAnotherSize() {
        Diagnostic d = assertError(ENCODER.formatted("""
                    output d = embedded -> gru(length, final, 4);"""),
                "`gru` takes, after its sequence, the sequences' lengths (an `int` per example) and an initial state"
                + " [4] (its hidden size), got [6] (f32[N,6]) from `last`", 8, 28);
        assertThat(d.hints()).containsExactly("start the layer from a state of its own size, e.g. an encoder's"
                + " `states -> last`");
    }

    @Test
    void anInitialStateOfAnotherSize() {
        Diagnostic d = assertError(ENCODER.formatted("""
                    output d = embedded -> attention_decoder(states, final, gru(8), units: 3);"""),
                "`attention_decoder` takes, after its values, an initial state [8] (the cell's hidden size) and the"
                + " values' lengths (an `int` per example), got [6] (f32[N,6]) from `last`", 8, 28);
        assertThat(d.hints()).containsExactly("start the decoder from an encoder's final state of the same size:"
                + " `final = states -> last;`");
    }

    @Test
    void lengthsThatAreNotAnIntPerExample() {
        Diagnostic d = assertError(ENCODER.formatted("""
                    input wrong: int[3];
                    output d = embedded -> attention_decoder(states, wrong, gru(8), units: 3);"""),
                "`attention_decoder` takes each sequence's length as its third input, an `int` per example, got [3]"
                + " (i32[N,3]) from input `wrong`", 9, 24);
        assertThat(d.hints()).containsExactly("declare the lengths as `input length: int;`");
    }

    @Test
    void aDecoderWithoutATargetToShift() {
        Diagnostic d = assertError(ENCODER.formatted("""
                    input label: int;
                    output d = label -> shift_right(fill: 1);"""),
                "`shift_right` takes a sequence of token ids (an `int[T]` input), got [] (i32[N]) from input `label`",
                9, 21);
        assertThat(d.hints()).containsExactly("shift the target's ids, `tgt -> shift_right(fill: 1)`, then embed them");
    }

    @Test
    void aDecoderOverAVector() {
        Diagnostic d = assertError(ENCODER.formatted("""
                    output d = final -> attention_decoder(states, gru(8), units: 3);"""),
                "`attention_decoder` needs inputs [steps, features] and values [time, features] per example, got [6]"
                + " and [S,6]", 8, 25);
        assertThat(d.hints()).hasSize(1);
    }

    @Test
    void aCellThatReturnsSequences() {
        Diagnostic d = assertError(ENCODER.formatted("""
                    output d = embedded -> attention_decoder(states, gru(8, return_sequences: true), units: 3);"""),
                "`attention_decoder` returns every step already; its cell takes no `return_sequences`", 8, 28);
        assertThat(d.hints()).containsExactly("write the cell as `gru(8)`");
    }
}
