package org.dnnc.compiler.passes;

import static com.google.common.truth.Truth.assertThat;

import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.autodiff.Inference;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.ir.Verifier;
import org.junit.jupiter.api.Test;

class BatchNormFoldingTest {
    private static final String SOURCE = """
            network Fold {
                input x: float[3, 6, 6];
                input label: int;
                logits = x -> conv2d(4, 3, padding: 1, bias: false) -> batchnorm -> relu -> flatten -> dense(2);
                output p = softmax(logits);
                train { loss = cross_entropy(logits, label); }
            }
            """;

    private static Graph forward() {
        return Compiler.compile(new SourceFile("fold.dnn", SOURCE)).networks().get(0).graph();
    }

    @Test
    void foldsInferenceBatchnormAndReluIntoTheConvolution() {
        Graph before = new DeadCodeElimination().run(Inference.of(forward()).graph());
        assertThat(IrPrinter.print(before).replaceAll(" +#.*", "")).isEqualTo("""
                graph Fold {
                  %0 = input "x" : f32[N,3,6,6]
                  %2 = param "logits.conv2d1.weight" {init=glorot_uniform} : f32[4,3,3,3]
                  %3 = conv2d(%0, %2) {stride=[1,1], pad=[1,1,1,1]} : f32[N,4,6,6]
                  %4 = param "logits.batchnorm1.weight" {init=ones} : f32[4]
                  %5 = param "logits.batchnorm1.bias" {init=zeros} : f32[4]
                  %6 = param "logits.batchnorm1.running_mean" {init=zeros, buffer} : f32[4]
                  %7 = param "logits.batchnorm1.running_var" {init=ones, buffer} : f32[4]
                  %8 = batchnorm_inference(%3, %4, %5, %6, %7) {eps=1e-05} : f32[N,4,6,6]
                  %9 = relu(%8) : f32[N,4,6,6]
                  %10 = flatten(%9) : f32[N,144]
                  %11 = param "logits.dense1.weight" {init=glorot_uniform} : f32[2,144]
                  %12 = matmul(%10, %11) : f32[N,2]
                  %13 = param "logits.dense1.bias" {init=zeros} : f32[2]
                  %14 = bias_add(%12, %13) {axis=-1} : f32[N,2]
                  %15 = softmax(%14) {axis=1} : f32[N,2]
                  return p=%15
                }
                """);
        Graph after = new BatchNormFolding().run(before);
        Verifier.verify(after);
        assertThat(IrPrinter.print(after).replaceAll(" +#.*", "")).isEqualTo("""
                graph Fold {
                  %0 = input "x" : f32[N,3,6,6]
                  %2 = param "logits.conv2d1.weight" {init=glorot_uniform} : f32[4,3,3,3]
                  %4 = param "logits.batchnorm1.weight" {init=ones} : f32[4]
                  %5 = param "logits.batchnorm1.bias" {init=zeros} : f32[4]
                  %6 = param "logits.batchnorm1.running_mean" {init=zeros, buffer} : f32[4]
                  %7 = param "logits.batchnorm1.running_var" {init=ones, buffer} : f32[4]
                  %16 = bn_fold_weight(%2, %4, %7) {eps=1e-05} : f32[4,3,3,3]
                  %17 = bn_fold_bias(%4, %5, %6, %7) {eps=1e-05, bias=false} : f32[4]
                  %9 = conv2d_bias_relu(%0, %16, %17) {stride=[1,1], pad=[1,1,1,1]} : f32[N,4,6,6]
                  %10 = flatten(%9) : f32[N,144]
                  %11 = param "logits.dense1.weight" {init=glorot_uniform} : f32[2,144]
                  %12 = matmul(%10, %11) : f32[N,2]
                  %13 = param "logits.dense1.bias" {init=zeros} : f32[2]
                  %14 = bias_add(%12, %13) {axis=-1} : f32[N,2]
                  %15 = softmax(%14) {axis=1} : f32[N,2]
                  return p=%15
                }
                """);
    }

    @Test
    void trainingProgramsNormalizeWithBatchStatisticsAndStayUnfolded() throws Exception {
        Graph train = Differentiator.train(forward()).graph();
        assertThat(new BatchNormFolding().run(train)).isEqualTo(train);
    }
}
