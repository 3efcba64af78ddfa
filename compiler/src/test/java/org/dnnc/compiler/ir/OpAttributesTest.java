package org.dnnc.compiler.ir;

import static com.google.common.truth.Truth.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Mnemonics, arities and attributes, which dumps and code generation rely on. */
class OpAttributesTest {

    static Stream<Arguments> ops() {
        TensorType t = Types.type("f32[N,4]");
        return Stream.of(
                Arguments.of(new Input("x", t), "input", 0, attrs()),
                Arguments.of(new Param("w", t, false, "zeros"), "param", 0, attrs("init", "zeros", "trainable", false)),
                Arguments.of(new MatMul(), "matmul", 2, attrs()),
                Arguments.of(new BiasAdd(-1), "bias_add", 2, attrs("axis", -1)),
                Arguments.of(new Conv2d(1, 2, 0, 1, 2, 3), "conv2d", 2,
                        attrs("stride", List.of(1, 2), "pad", List.of(0, 1, 2, 3))),
                Arguments.of(new Pool2d(PoolKind.MAX, 3, 2, 2, 1, 1, 0), "maxpool2d", 1,
                        attrs("kernel", List.of(3, 2), "stride", List.of(2, 1), "pad", List.of(1, 0))),
                Arguments.of(new Pool2d(PoolKind.AVG, 2, 2, 2, 2, 0, 0), "avgpool2d", 1,
                        attrs("kernel", List.of(2, 2), "stride", List.of(2, 2), "pad", List.of(0, 0))),
                Arguments.of(new GlobalAvgPool(), "global_avgpool", 1, attrs()),
                Arguments.of(new Flatten(), "flatten", 1, attrs()),
                Arguments.of(new Reshape(List.of(Dim.of(2), Dim.of(2))), "reshape", 1, attrs("shape", List.of(Dim.of(2), Dim.of(2)))),
                Arguments.of(new Activation(ActivationKind.RELU, 0.3), "relu", 1, attrs()),
                Arguments.of(new Activation(ActivationKind.LEAKY_RELU, 0.3), "leaky_relu", 1, attrs("alpha", 0.3)),
                Arguments.of(new Activation(ActivationKind.ELU, 1.0), "elu", 1, attrs("alpha", 1.0)),
                Arguments.of(new Activation(ActivationKind.SIGMOID, 0), "sigmoid", 1, attrs()),
                Arguments.of(new Activation(ActivationKind.TANH, 0), "tanh", 1, attrs()),
                Arguments.of(new Activation(ActivationKind.IDENTITY, 0), "identity", 1, attrs()),
                Arguments.of(new Softmax(1), "softmax", 1, attrs("axis", 1)),
                Arguments.of(new LogSoftmax(-1), "log_softmax", 1, attrs("axis", -1)),
                Arguments.of(new Dropout(0.25), "dropout", 1, attrs("rate", 0.25)),
                Arguments.of(new Binary(BinaryKind.ADD), "add", 2, attrs()),
                Arguments.of(new Binary(BinaryKind.SUB), "sub", 2, attrs()),
                Arguments.of(new Binary(BinaryKind.MUL), "mul", 2, attrs()),
                Arguments.of(new Scale(2.0), "scale", 1, attrs("factor", 2.0)),
                Arguments.of(new BatchNorm(1e-5, 0.1), "batchnorm", 5, attrs("eps", 1e-5, "momentum", 0.1)),
                Arguments.of(new LayerNorm(1e-6), "layernorm", 3, attrs("eps", 1e-6)),
                Arguments.of(new Embedding(), "embedding", 2, attrs()),
                Arguments.of(new EmbeddingGrad(50), "embedding_grad", 2, attrs("vocab", 50)),
                Arguments.of(new EmbeddingGrad(50, true), "embedding_grad", 2, attrs("vocab", 50, "sparse", true)),
                Arguments.of(new Concat(1), "concat", Op.VARIADIC, attrs("axis", 1)),
                Arguments.of(new Recurrent(CellKind.RNN_TANH, 8, true, false), "rnn", 5,
                        attrs("hidden", 8, "return_sequences", true, "reverse", false)),
                Arguments.of(new Recurrent(CellKind.LSTM, 16, false, true), "lstm", 5,
                        attrs("hidden", 16, "return_sequences", false, "reverse", true)),
                Arguments.of(new Recurrent(CellKind.GRU, 4, false, false), "gru", 5,
                        attrs("hidden", 4, "return_sequences", false, "reverse", false)),
                Arguments.of(new Recurrent(CellKind.GRU, 4, true, false, true), "gru", 6,
                        attrs("hidden", 4, "return_sequences", true, "reverse", false, "lengths", true)),
                Arguments.of(new RecurrentGrad(new Recurrent(CellKind.GRU, 4, true, true), RecurrentGrad.Wrt.W_IH),
                        "gru_grad", 7, attrs("hidden", 4, "return_sequences", true, "reverse", true, "wrt",
                                RecurrentGrad.Wrt.W_IH)),
                Arguments.of(new AdditiveAttention(32), "additive_attention", 4, attrs("units", 32)),
                Arguments.of(new AdditiveAttention(8, true), "additive_attention", 5, attrs("units", 8, "lengths", true)),
                Arguments.of(new AttentionWeights(new AdditiveAttention(8)), "attention_weights", 4, attrs("units", 8)),
                Arguments.of(new AdditiveAttentionGrad(new AdditiveAttention(8), AdditiveAttentionGrad.Wrt.V),
                        "additive_attention_grad", 6, attrs("units", 8, "wrt", AdditiveAttentionGrad.Wrt.V)),
                Arguments.of(new Repeat(3), "repeat", 1, attrs("times", 3)),
                Arguments.of(new CrossEntropy(), "cross_entropy", 2, attrs()),
                Arguments.of(new MseLoss(), "mse", 2, attrs()),
                Arguments.of(new BceWithLogits(), "bce_with_logits", 2, attrs()));
    }

    @ParameterizedTest
    @MethodSource("ops")
    void describesItself(Op op, String mnemonic, int arity, Map<String, Object> attrs) {
        assertThat(op.mnemonic()).isEqualTo(mnemonic);
        assertThat(op.arity()).isEqualTo(arity);
        assertThat(op.attrs()).containsExactlyEntriesIn(attrs).inOrder();
    }

    private static Map<String, Object> attrs(Object... keysAndValues) {
        var map = new LinkedHashMap<String, Object>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
