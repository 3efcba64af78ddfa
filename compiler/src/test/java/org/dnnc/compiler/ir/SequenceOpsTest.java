package org.dnnc.compiler.ir;

import static org.dnnc.compiler.ir.OpCase.accepts;
import static org.dnnc.compiler.ir.OpCase.rejects;

import java.util.stream.Stream;

/** Typing of embedding, concatenation, recurrent layers, attention and repetition. */
class SequenceOpsTest extends OpTypingContract {

    private static final AttentionDecoder DECODER = new AttentionDecoder(6, 7, false, false);
    private static final String[] DECODER_OPERANDS = {"f32[N,S,5]", "f32[N,T,4]", "f32[18,9]", "f32[18,6]", "f32[18]",
        "f32[18]", "f32[7,10]", "f32[7]"};

    static Stream<OpCase> accepted() {
        return Stream.of(
                accepts(new Embedding(), "f32[N,T,64]", "i32[N,T]", "f32[1000,64]"),
                accepts(new Concat(1), "f32[N,48,14,14]", "f32[N,16,14,14]", "f32[N,32,14,14]"),
                accepts(new Concat(-1), "f32[N,T,14]", "f32[N,T,8]", "f32[N,T,4]", "f32[N,T,2]"),
                accepts(new Recurrent(CellKind.LSTM, 128, true, false), "f32[N,T,128]",
                        "f32[N,T,64]", "f32[512,64]", "f32[512,128]", "f32[512]", "f32[512]"),
                accepts(new Recurrent(CellKind.GRU, 32, false, false), "f32[N,32]",
                        "f32[N,T,16]", "f32[96,16]", "f32[96,32]", "f32[96]", "f32[96]"),
                accepts(new Recurrent(CellKind.RNN_TANH, 8, true, true), "f32[N,10,8]",
                        "f32[N,10,4]", "f32[8,4]", "f32[8,8]", "f32[8]", "f32[8]"),
                accepts(new Recurrent(CellKind.RNN_RELU, 6, false, false), "f32[N,6]",
                        "f32[N,T,4]", "f32[6,4]", "f32[6,6]", "f32[6]", "f32[6]"),
                accepts(new Recurrent(CellKind.GRU, 8, true, true, true), "f32[N,T,8]",
                        "f32[N,T,4]", "f32[24,4]", "f32[24,8]", "f32[24]", "f32[24]", "i32[N]"),
                accepts(new AdditiveAttention(32), "f32[N,128]", "f32[N,64]", "f32[N,T,128]", "f32[32,192]", "f32[32]"),
                accepts(new AdditiveAttention(32, true), "f32[N,S,128]", "f32[N,S,64]", "f32[N,T,128]", "f32[32,192]",
                        "f32[32]", "i32[N]"),
                accepts(new AttentionWeights(new AdditiveAttention(32)), "f32[N,T]", "f32[N,64]", "f32[N,T,128]",
                        "f32[32,192]", "f32[32]"),
                accepts(new AttentionWeights(new AdditiveAttention(8, true)), "f32[N,5,T]", "f32[N,5,6]", "f32[N,T,4]",
                        "f32[8,10]", "f32[8]", "i32[N]"),
                accepts(new Recurrent(CellKind.LSTM, 8, true, false, true, true), "f32[N,T,8]",
                        "f32[N,T,4]", "f32[32,4]", "f32[32,8]", "f32[32]", "f32[32]", "i32[N]", "f32[N,8]"),
                accepts(new ShiftRight(1), "i32[N,T]", "i32[N,T]"),
                accepts(new LastStep(false), "f32[N,8]", "f32[N,T,8]"),
                accepts(new LastStep(true), "f32[N,8]", "f32[N,5,8]", "i32[N]"),
                accepts(DECODER, "f32[N,S,10]", DECODER_OPERANDS),
                accepts(new AttentionDecoder(6, 7, true, true), "f32[N,S,10]", "f32[N,S,5]", "f32[N,T,4]", "f32[18,9]",
                        "f32[18,6]", "f32[18]", "f32[18]", "f32[7,10]", "f32[7]", "f32[N,6]", "i32[N]"),
                accepts(new DecoderWeights(DECODER), "f32[N,S,T]", DECODER_OPERANDS),
                accepts(new Repeat(5), "f32[N,5,64]", "f32[N,64]"));
    }

    static Stream<OpCase> rejected() {
        return Stream.of(
                rejects(new Embedding(), "embedding: ids must be i32, got f32[N,T]", "f32[N,T]", "f32[1000,64]"),
                rejects(new Embedding(), "embedding: table must have rank 2 [V,D], got f32[1000]", "i32[N,T]", "f32[1000]"),
                rejects(new Concat(1), "concat: dimension 2 of operand 1 is 7 but operand 0 has 14 (f32[N,16,14,14] vs f32[N,32,7,7])",
                        "f32[N,16,14,14]", "f32[N,32,7,7]"),
                rejects(new Concat(1), "concat: axis 1 of operand 0 must be a fixed size, got T (f32[N,T,8])",
                        "f32[N,T,8]", "f32[N,T,8]"),
                rejects(new Concat(1), "concat: expects at least 2 operands, got 1", "f32[N,4]"),
                rejects(new Concat(1), "concat: operand 1 is i32[N,4] but operand 0 is f32[N,4]", "f32[N,4]", "i32[N,4]"),
                rejects(new Concat(-3), "concat: axis -3 is out of range for f32[N,4] (rank 2)", "f32[N,4]", "f32[N,4]"),
                rejects(new Recurrent(CellKind.LSTM, 128, true, false), "lstm: w_ih should be f32[512,64], got f32[512,32]",
                        "f32[N,T,64]", "f32[512,32]", "f32[512,128]", "f32[512]", "f32[512]"),
                rejects(new Recurrent(CellKind.GRU, 32, false, false), "gru: b_hh should be f32[96], got f32[128]",
                        "f32[N,T,16]", "f32[96,16]", "f32[96,32]", "f32[96]", "f32[128]"),
                rejects(new Recurrent(CellKind.GRU, 32, false, false), "gru: input must have rank 3 [N,T,I], got f32[N,16]",
                        "f32[N,16]", "f32[96,16]", "f32[96,32]", "f32[96]", "f32[96]"),
                rejects(new Recurrent(CellKind.RNN_TANH, 0, false, false), "rnn: hidden size must be positive, got 0",
                        "f32[N,T,4]", "f32[0,4]", "f32[0,0]", "f32[0]", "f32[0]"),
                rejects(new Recurrent(CellKind.LSTM, 8, false, false, true), "lstm: lengths should be i32[N], got f32[N]",
                        "f32[N,T,4]", "f32[32,4]", "f32[32,8]", "f32[32]", "f32[32]", "f32[N]"),
                rejects(new Recurrent(CellKind.LSTM, 8, false, false, true), "lstm: expects 6 operands, got 5",
                        "f32[N,T,4]", "f32[32,4]", "f32[32,8]", "f32[32]", "f32[32]"),
                rejects(new AdditiveAttention(32), "additive_attention: W should be f32[32,192], got f32[32,128]",
                        "f32[N,64]", "f32[N,T,128]", "f32[32,128]", "f32[32]"),
                rejects(new AdditiveAttention(32), "additive_attention: v should be f32[32], got f32[16]",
                        "f32[N,64]", "f32[N,T,128]", "f32[32,192]", "f32[16]"),
                rejects(new AdditiveAttention(32), "additive_attention: values must have rank 3 [N,T,Dz], got f32[N,128]",
                        "f32[N,64]", "f32[N,128]", "f32[32,192]", "f32[32]"),
                rejects(new AdditiveAttention(32), "additive_attention: query must have rank 2 [N,Dg] or 3 [N,Tq,Dg], got f32[N]",
                        "f32[N]", "f32[N,T,128]", "f32[32,192]", "f32[32]"),
                rejects(new AdditiveAttention(32, true), "additive_attention: lengths should be i32[N], got f32[N]",
                        "f32[N,64]", "f32[N,T,128]", "f32[32,192]", "f32[32]", "f32[N]"),
                rejects(new AttentionWeights(new AdditiveAttention(32)), "attention_weights: v should be f32[32], got f32[16]",
                        "f32[N,64]", "f32[N,T,128]", "f32[32,192]", "f32[16]"),
                rejects(new Recurrent(CellKind.GRU, 8, false, false, false, true),
                        "gru: initial state should be f32[N,8], got f32[N,4]",
                        "f32[N,T,4]", "f32[24,4]", "f32[24,8]", "f32[24]", "f32[24]", "f32[N,4]"),
                rejects(new ShiftRight(1), "shift_right: ids must be i32, got f32[N,T]", "f32[N,T]"),
                rejects(new LastStep(true), "last: lengths should be i32[N], got f32[N]", "f32[N,T,8]", "f32[N]"),
                rejects(new AttentionDecoder(6, 7, true, false), "attention_decoder: initial state should be f32[N,6], got f32[N,5]",
                        "f32[N,S,5]", "f32[N,T,4]", "f32[18,9]", "f32[18,6]", "f32[18]", "f32[18]", "f32[7,10]", "f32[7]",
                        "f32[N,5]"),
                rejects(new DecoderWeights(DECODER), "decoder_weights: W should be f32[7,10], got f32[7,9]",
                        "f32[N,S,5]", "f32[N,T,4]", "f32[18,9]", "f32[18,6]", "f32[18]", "f32[18]", "f32[7,9]", "f32[7]"),
                rejects(new Repeat(5), "repeat: input must have rank 2 [N,F], got f32[N,T,64]", "f32[N,T,64]"),
                rejects(new Repeat(0), "repeat: times must be positive, got 0", "f32[N,64]"));
    }
}
