package org.dnnc.compiler.autodiff;

import static com.google.common.truth.Truth.assertThat;

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
import org.dnnc.runtime.train.StepResult;
import org.dnnc.runtime.train.TrainableNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated class of an encoder–decoder with attention against PyTorch ({@code
 * golden/cases/seq2seq_attention_step}), from the case's weights: the logits and every step's
 * attention weights of a prediction, and the loss (padded target positions ignored) and every
 * parameter's gradient of one training step, read back from a plain SGD update at rate 1, within
 * the case's tolerances (atol 2e-5, rtol 2e-4).
 */
class Seq2SeqGoldenTest {
    /** Each parameter of the network, by the end of its name, and its name in the case. */
    private static final Map<String, String> PYTORCH = pytorchNames();

    @TempDir
    Path work;

    private static Map<String, String> pytorchNames() {
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
        return names;
    }

    @Test
    void logitsWeightsLossAndGradientsMatchPyTorch() throws Exception {
        GoldenCase golden = GoldenCase.of("seq2seq_attention_step", 2e-5, 2e-4);
        SourceFile source = SourceFile.read(RepoPaths.testResources().resolve("autodiff/GoldenSeq2Seq.dnn"));
        NetworkModel model = Compiler.compile(source).networks().get(0);
        Class<?> generated = JavaSourceCompiler.compile(model.qualifiedName(),
                JavaGenerator.generate(model, source).toString(), work.resolve("classes"), List.of("-Xlint:all", "-Werror"));
        List<Node> params = model.graph().params();
        assertThat(params.stream().map(p -> ((Param) p.op()).name()).toList())
                .containsExactlyElementsIn(PYTORCH.keySet());
        int total = params.stream().mapToInt(p -> (int) p.type().elementsPerExample()).sum();
        float[] before = new float[total];
        int offset = 0;
        for (Node p : params) {
            double[] values = golden.read(PYTORCH.get(((Param) p.op()).name()) + ".npy");
            for (double v : values) {
                before[offset++] = (float) v;
            }
        }
        int[] src = ints(golden.read("src.npy"));
        int[] tgt = ints(golden.read("tgt.npy"));
        Object builder = generated.getMethod("builder").invoke(null);
        try (TrainableNetwork net = (TrainableNetwork) builder.getClass().getMethod("build").invoke(builder)) {
            net.copyParametersFrom(before);
            Outputs out = net.predict(Inputs.of("src", src).and("tgt", tgt));
            golden.assertMatches("logits", doubles(out.get("logits")), "logits.npy");
            golden.assertMatches("alphas", doubles(out.get("alphas")), "alphas.npy");

            StepResult step = net.trainStep(Inputs.of("src", src).and("tgt", tgt), 2, 1.0);
            golden.assertMatches("loss", new double[] {step.lossSum() / 2}, "loss.npy");
            assertThat(step.judged()).isEqualTo(7);
            float[] after = new float[total];
            net.copyParametersTo(after);
            offset = 0;
            for (Node p : params) {
                int count = (int) p.type().elementsPerExample();
                double[] gradient = new double[count];
                for (int i = 0; i < count; i++) {
                    gradient[i] = (double) before[offset + i] - after[offset + i];
                }
                String name = PYTORCH.get(((Param) p.op()).name());
                golden.assertMatches("gradient of " + name, gradient, "d" + name + ".npy");
                offset += count;
            }
        }
    }

    private static int[] ints(double[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (int) values[i];
        }
        return out;
    }

    private static double[] doubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
