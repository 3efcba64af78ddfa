package org.dnnc.compiler.autodiff;

import static com.google.common.truth.Truth.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.codegen.JavaGenerator;
import org.dnnc.compiler.codegen.JavaSourceCompiler;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Param;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.testing.RepoPaths;
import org.dnnc.runtime.Inputs;
import org.dnnc.runtime.Outputs;
import org.dnnc.runtime.io.Npy;
import org.dnnc.runtime.train.StepResult;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated classes of whole sequence networks against PyTorch, from each case's weights: the
 * outputs of a prediction, and the loss and every parameter's gradient of one training step, read
 * back from a plain SGD update at rate 1, within the case's tolerances (atol 2e-5, rtol 2e-4).
 * {@code seq2seq_attention_step} is an encoder–decoder with attention (its logits and every step's
 * attention weights; padded target positions ignored by the loss), {@code char_lm_step} a
 * character language model (embedding, LSTM, a dense layer at every step).
 */
class GeneratedGoldenNetworksTest {

    @TempDir
    Path work;

    @Test
    void anEncoderDecoderWithAttentionMatchesPyTorch() throws Exception {
        Map<String, String> names = new LinkedHashMap<>();
        names.put("states.embedding1.weight", "src_embedding_weight");
        for (String p : List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")) {
            names.put("states.gru1." + p, "encoder_" + p);
        }
        names.put("dec.embedding1.weight", "tgt_embedding_weight");
        for (String p : List.of("weight_ih", "weight_hh", "bias_ih", "bias_hh")) {
            names.put("dec.attention_decoder1." + p, "decoder_" + p);
        }
        names.put("dec.attention_decoder1.attention_weight", "attention_W");
        names.put("dec.attention_decoder1.attention_score", "attention_v");
        names.put("logits.dense1.weight", "out_weight");
        names.put("logits.dense1.bias", "out_bias");
        // 7 of the 8 target positions are not padding.
        check("seq2seq_attention_step", "GoldenSeq2Seq.dnn", names, List.of("src", "tgt"), 2,
                List.of("logits", "alphas"), 7);
    }

    @Test
    void aCharacterLanguageModelMatchesPyTorch() throws Exception {
        Map<String, String> names = new LinkedHashMap<>();
        names.put("logits.embedding1.weight", "embedding_weight");
        for (String p : List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")) {
            names.put("logits.lstm1." + p, "lstm_" + p);
        }
        names.put("logits.dense1.weight", "head_weight");
        names.put("logits.dense1.bias", "head_bias");
        check("char_lm_step", "GoldenCharLm.dnn", names, List.of("tokens", "targets"), 1, List.of("logits"),
                StepResult.EVERY_LABEL);
    }

    /**
     * Loads the case's weights into the class of {@code resource} by {@code pytorchNames} (the
     * network's parameter name to the case's), feeds the case's int {@code inputs} (of which the
     * first {@code predicted} are what a prediction reads), and compares.
     */
    private void check(String name, String resource, Map<String, String> pytorchNames, List<String> inputs,
            int predicted, List<String> outputs, int judged) throws Exception {
        GoldenCase golden = GoldenCase.of(name, 2e-5, 2e-4);
        SourceFile source = SourceFile.read(RepoPaths.testResources().resolve("autodiff").resolve(resource));
        NetworkModel model = Compiler.compile(source).networks().get(0);
        Class<?> generated = JavaSourceCompiler.compile(model.qualifiedName(),
                JavaGenerator.generate(model, source).toString(), work.resolve("classes"), List.of("-Xlint:all", "-Werror"));
        List<Node> params = model.graph().params();
        assertThat(params.stream().map(p -> ((Param) p.op()).name()).toList())
                .containsExactlyElementsIn(pytorchNames.keySet());
        int total = params.stream().mapToInt(p -> (int) p.type().elementsPerExample()).sum();
        float[] before = new float[total];
        int offset = 0;
        for (Node p : params) {
            for (double v : golden.read(pytorchNames.get(((Param) p.op()).name()) + ".npy")) {
                before[offset++] = (float) v;
            }
        }
        Inputs batch = null;
        Inputs prediction = null;
        int examples = 0;
        for (String input : inputs) {
            double[] values = golden.read(input + ".npy");
            int[] ids = new int[values.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = (int) values[i];
            }
            batch = batch == null ? Inputs.of(input, ids) : batch.and(input, ids);
            if (inputs.indexOf(input) < predicted) {
                prediction = prediction == null ? Inputs.of(input, ids) : prediction.and(input, ids);
            }
            examples = examples(golden, input);
        }
        Object builder = generated.getMethod("builder").invoke(null);
        try (TrainableNetwork net = (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder)) {
            net.copyParametersFrom(before);
            Outputs out = net.predict(prediction);
            for (String output : outputs) {
                golden.assertMatches(output, doubles(out.get(output)), output + ".npy");
            }
            StepResult step = net.trainStep(batch, examples, 1.0);
            golden.assertMatches("loss", new double[] {step.lossSum() / examples}, "loss.npy");
            assertThat(step.judged()).isEqualTo(judged);
            float[] after = new float[total];
            net.copyParametersTo(after);
            offset = 0;
            for (Node p : params) {
                int count = (int) p.type().elementsPerExample();
                double[] gradient = new double[count];
                for (int i = 0; i < count; i++) {
                    gradient[i] = (double) before[offset + i] - after[offset + i];
                }
                String pytorch = pytorchNames.get(((Param) p.op()).name());
                golden.assertMatches("gradient of " + pytorch, gradient, "d" + pytorch + ".npy");
                offset += count;
            }
        }
    }

    /** The examples in the case's {@code input}: its first dimension. */
    private static int examples(GoldenCase golden, String input) throws IOException {
        return Npy.read(golden.dir().resolve(input + ".npy")).shape()[0];
    }

    private static double[] doubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
