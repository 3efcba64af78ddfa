package org.dnnc.compiler.passes;

import static com.google.common.truth.Truth.assertThat;

import java.util.List;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.autodiff.Inference;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.ir.Verifier;
import org.junit.jupiter.api.Test;

/**
 * {@code fuse-batchnorm-relu-maxpool}: dumps of a training program before and after, the poolings
 * it must leave alone and why, and that the fused program computes the same outputs and gradients
 * as the original, by the double-precision reference interpreter on random inputs and parameters.
 */
class BatchNormPoolFusionTest {
    private static final int BATCH = 4;

    /** conv, batchnorm, ReLU and a 2x2 max pooling, then a 3x3 pooling of stride 2 with padding. */
    private static final String SOURCE = """
            network Pooled {
                input x: float[2, 6, 6];
                input label: int;
                logits = x -> conv2d(3, 3, padding: 1, bias: false) -> batchnorm -> relu -> maxpool(2)
                           -> conv2d(4, 3, padding: 1, bias: false) -> batchnorm -> relu
                           -> maxpool(3, stride: 2, padding: 1) -> flatten -> dense(2);
                output p = softmax(logits);
                train { loss = cross_entropy(logits, label); }
            }
            """;

    /** The ReLU's output is pooled and also flattened into a second head. */
    private static final String SHARED = """
            network Shared {
                input x: float[2, 4, 4];
                input label: int;
                h = x -> conv2d(3, 3, padding: 1, bias: false) -> batchnorm -> relu;
                logits = (h -> maxpool(2) -> flatten -> dense(2)) + (h -> flatten -> dense(2));
                output p = softmax(logits);
                train { loss = cross_entropy(logits, label); }
            }
            """;

    /** An average pooling, which the fused kernel does not do. */
    private static final String AVERAGE = """
            network Average {
                input x: float[2, 4, 4];
                input label: int;
                logits = x -> conv2d(3, 3, padding: 1, bias: false) -> batchnorm -> relu -> avgpool(2)
                           -> flatten -> dense(2);
                output p = softmax(logits);
                train { loss = cross_entropy(logits, label); }
            }
            """;

    private static Graph forward(String source) {
        return Compiler.compile(new SourceFile("pooled.dnn", source)).networks().get(0).graph();
    }

    private static String dump(Graph g) {
        return IrPrinter.print(g).replaceAll(" +#.*", "");
    }

    /** The training program after batchnorm+ReLU fusion, the pass's input in the CPU pipeline. */
    private static Graph training(String source) throws Exception {
        return new BatchNormReluFusion().run(Differentiator.train(forward(source)).graph());
    }

    @Test
    void fusesThePoolingIntoBatchnormReluAndTheGradients() throws Exception {
        Graph before = training(SOURCE);
        assertThat(dump(before)).isEqualTo("""
                graph Pooled {
                  %0 = input "x" : f32[N,2,6,6]
                  %1 = input "label" : i32[N]
                  %2 = param "logits.conv2d1.weight" {init=glorot_uniform} : f32[3,2,3,3]
                  %3 = conv2d(%0, %2) {stride=[1,1], pad=[1,1,1,1]} : f32[N,3,6,6]
                  %4 = param "logits.batchnorm1.weight" {init=ones} : f32[3]
                  %5 = param "logits.batchnorm1.bias" {init=zeros} : f32[3]
                  %6 = param "logits.batchnorm1.running_mean" {init=zeros, buffer} : f32[3]
                  %7 = param "logits.batchnorm1.running_var" {init=ones, buffer} : f32[3]
                  %9 = batchnorm_relu(%3, %4, %5, %6, %7) {eps=1e-05, momentum=0.1} : f32[N,3,6,6]
                  %10 = maxpool2d(%9) {kernel=[2,2], stride=[2,2], pad=[0,0]} : f32[N,3,3,3]
                  %11 = param "logits.conv2d2.weight" {init=glorot_uniform} : f32[4,3,3,3]
                  %12 = conv2d(%10, %11) {stride=[1,1], pad=[1,1,1,1]} : f32[N,4,3,3]
                  %13 = param "logits.batchnorm2.weight" {init=ones} : f32[4]
                  %14 = param "logits.batchnorm2.bias" {init=zeros} : f32[4]
                  %15 = param "logits.batchnorm2.running_mean" {init=zeros, buffer} : f32[4]
                  %16 = param "logits.batchnorm2.running_var" {init=ones, buffer} : f32[4]
                  %18 = batchnorm_relu(%12, %13, %14, %15, %16) {eps=1e-05, momentum=0.1} : f32[N,4,3,3]
                  %19 = maxpool2d(%18) {kernel=[3,3], stride=[2,2], pad=[1,1]} : f32[N,4,2,2]
                  %20 = flatten(%19) : f32[N,16]
                  %21 = param "logits.dense1.weight" {init=glorot_uniform} : f32[2,16]
                  %22 = matmul(%20, %21) : f32[N,2]
                  %23 = param "logits.dense1.bias" {init=zeros} : f32[2]
                  %24 = bias_add(%22, %23) {axis=-1} : f32[N,2]
                  %25 = softmax(%24) {axis=1} : f32[N,2]
                  %26 = cross_entropy(%24, %1) : f32[]
                  %27 = constant() {value=1} : f32[]
                  %28 = cross_entropy_grad(%24, %1, %27) : f32[N,2]
                  %29 = bias_grad(%28) {axis=-1} : f32[2]
                  %30 = matmul_grad_input(%28, %21) : f32[N,16]
                  %31 = matmul_grad_weight(%28, %20) : f32[2,16]
                  %32 = reshape(%30) {shape=[4,2,2]} : f32[N,4,2,2]
                  %33 = maxpool2d_grad(%32, %18) {kernel=[3,3], stride=[2,2], pad=[1,1]} : f32[N,4,3,3]
                  %35 = batchnorm_relu_grad_input(%33, %12, %13, %18) {eps=1e-05} : f32[N,4,3,3]
                  %36 = batchnorm_relu_grad_gamma(%33, %12, %18) {eps=1e-05} : f32[4]
                  %37 = batchnorm_relu_grad_beta(%33, %18) : f32[4]
                  %38 = conv2d_grad_input(%35, %11) {stride=[1,1], pad=[1,1,1,1], input=[3,3]} : f32[N,3,3,3]
                  %39 = conv2d_grad_weight(%35, %10) {stride=[1,1], pad=[1,1,1,1], kernel=[3,3]} : f32[4,3,3,3]
                  %40 = maxpool2d_grad(%38, %9) {kernel=[2,2], stride=[2,2], pad=[0,0]} : f32[N,3,6,6]
                  %42 = batchnorm_relu_grad_input(%40, %3, %4, %9) {eps=1e-05} : f32[N,3,6,6]
                  %43 = batchnorm_relu_grad_gamma(%40, %3, %9) {eps=1e-05} : f32[3]
                  %44 = batchnorm_relu_grad_beta(%40, %9) : f32[3]
                  %45 = conv2d_grad_weight(%42, %0) {stride=[1,1], pad=[1,1,1,1], kernel=[3,3]} : f32[3,2,3,3]
                  return p=%25, loss=%26, grad:logits.conv2d1.weight=%45, grad:logits.batchnorm1.weight=%43, \
                grad:logits.batchnorm1.bias=%44, grad:logits.conv2d2.weight=%39, \
                grad:logits.batchnorm2.weight=%36, grad:logits.batchnorm2.bias=%37, \
                grad:logits.dense1.weight=%31, grad:logits.dense1.bias=%29
                }
                """);
        Graph after = new BatchNormPoolFusion().run(before);
        Verifier.verify(after);
        // Each fused node keeps the pooling's id; y (%9, %18) and the pooling gradients (%33, %40) are
        // gone, and the batchnorm gradients read dp, x, gamma and beta.
        assertThat(dump(after)).isEqualTo("""
                graph Pooled {
                  %0 = input "x" : f32[N,2,6,6]
                  %1 = input "label" : i32[N]
                  %2 = param "logits.conv2d1.weight" {init=glorot_uniform} : f32[3,2,3,3]
                  %3 = conv2d(%0, %2) {stride=[1,1], pad=[1,1,1,1]} : f32[N,3,6,6]
                  %4 = param "logits.batchnorm1.weight" {init=ones} : f32[3]
                  %5 = param "logits.batchnorm1.bias" {init=zeros} : f32[3]
                  %6 = param "logits.batchnorm1.running_mean" {init=zeros, buffer} : f32[3]
                  %7 = param "logits.batchnorm1.running_var" {init=ones, buffer} : f32[3]
                  %10 = batchnorm_relu_maxpool2d(%3, %4, %5, %6, %7) {eps=1e-05, momentum=0.1, kernel=[2,2], stride=[2,2], pad=[0,0]} : f32[N,3,3,3]
                  %11 = param "logits.conv2d2.weight" {init=glorot_uniform} : f32[4,3,3,3]
                  %12 = conv2d(%10, %11) {stride=[1,1], pad=[1,1,1,1]} : f32[N,4,3,3]
                  %13 = param "logits.batchnorm2.weight" {init=ones} : f32[4]
                  %14 = param "logits.batchnorm2.bias" {init=zeros} : f32[4]
                  %15 = param "logits.batchnorm2.running_mean" {init=zeros, buffer} : f32[4]
                  %16 = param "logits.batchnorm2.running_var" {init=ones, buffer} : f32[4]
                  %19 = batchnorm_relu_maxpool2d(%12, %13, %14, %15, %16) {eps=1e-05, momentum=0.1, kernel=[3,3], stride=[2,2], pad=[1,1]} : f32[N,4,2,2]
                  %20 = flatten(%19) : f32[N,16]
                  %21 = param "logits.dense1.weight" {init=glorot_uniform} : f32[2,16]
                  %22 = matmul(%20, %21) : f32[N,2]
                  %23 = param "logits.dense1.bias" {init=zeros} : f32[2]
                  %24 = bias_add(%22, %23) {axis=-1} : f32[N,2]
                  %25 = softmax(%24) {axis=1} : f32[N,2]
                  %26 = cross_entropy(%24, %1) : f32[]
                  %27 = constant() {value=1} : f32[]
                  %28 = cross_entropy_grad(%24, %1, %27) : f32[N,2]
                  %29 = bias_grad(%28) {axis=-1} : f32[2]
                  %30 = matmul_grad_input(%28, %21) : f32[N,16]
                  %31 = matmul_grad_weight(%28, %20) : f32[2,16]
                  %32 = reshape(%30) {shape=[4,2,2]} : f32[N,4,2,2]
                  %35 = batchnorm_relu_maxpool2d_grad_input(%32, %12, %13, %14) {eps=1e-05, kernel=[3,3], stride=[2,2], pad=[1,1]} : f32[N,4,3,3]
                  %36 = batchnorm_relu_maxpool2d_grad_gamma(%32, %12, %13, %14) {eps=1e-05, kernel=[3,3], stride=[2,2], pad=[1,1]} : f32[4]
                  %37 = batchnorm_relu_maxpool2d_grad_beta(%32, %12, %13, %14) {eps=1e-05, kernel=[3,3], stride=[2,2], pad=[1,1]} : f32[4]
                  %38 = conv2d_grad_input(%35, %11) {stride=[1,1], pad=[1,1,1,1], input=[3,3]} : f32[N,3,3,3]
                  %39 = conv2d_grad_weight(%35, %10) {stride=[1,1], pad=[1,1,1,1], kernel=[3,3]} : f32[4,3,3,3]
                  %42 = batchnorm_relu_maxpool2d_grad_input(%38, %3, %4, %5) {eps=1e-05, kernel=[2,2], stride=[2,2], pad=[0,0]} : f32[N,3,6,6]
                  %43 = batchnorm_relu_maxpool2d_grad_gamma(%38, %3, %4, %5) {eps=1e-05, kernel=[2,2], stride=[2,2], pad=[0,0]} : f32[3]
                  %44 = batchnorm_relu_maxpool2d_grad_beta(%38, %3, %4, %5) {eps=1e-05, kernel=[2,2], stride=[2,2], pad=[0,0]} : f32[3]
                  %45 = conv2d_grad_weight(%42, %0) {stride=[1,1], pad=[1,1,1,1], kernel=[3,3]} : f32[3,2,3,3]
                  return p=%25, loss=%26, grad:logits.conv2d1.weight=%45, grad:logits.batchnorm1.weight=%43, \
                grad:logits.batchnorm1.bias=%44, grad:logits.conv2d2.weight=%39, \
                grad:logits.batchnorm2.weight=%36, grad:logits.batchnorm2.bias=%37, \
                grad:logits.dense1.weight=%31, grad:logits.dense1.bias=%29
                }
                """);
        assertThat(new BatchNormPoolFusion().explain(before)).isEmpty();
        SameOutputs.assertSameOutputs(before, after, BATCH, 17);
        assertThat(new BatchNormPoolFusion().run(after)).isEqualTo(after);
    }

    /** A program without backward (the forward graph of training) fuses the pooling alone. */
    @Test
    void fusesTheForwardPassWhenThereIsNoBackward() throws Exception {
        Graph before = new BatchNormReluFusion().run(forward(SOURCE));
        Graph after = new BatchNormPoolFusion().run(before);
        Verifier.verify(after);
        assertThat(mnemonics(after)).containsNoneOf("batchnorm_relu", "maxpool2d");
        assertThat(mnemonics(after).stream().filter("batchnorm_relu_maxpool2d"::equals).count()).isEqualTo(2);
        assertThat(after.nodes()).hasSize(before.nodes().size() - 2);
        SameOutputs.assertSameOutputs(before, after, BATCH, 23);
    }

    @Test
    void anActivationReadBesidesThePoolingIsLeftAloneAndExplained() throws Exception {
        Graph before = training(SHARED);
        assertThat(dump(before)).contains("""
                  %9 = batchnorm_relu(%3, %4, %5, %6, %7) {eps=1e-05, momentum=0.1} : f32[N,3,4,4]
                  %10 = maxpool2d(%9) {kernel=[2,2], stride=[2,2], pad=[0,0]} : f32[N,3,2,2]
                """);
        assertThat(new BatchNormPoolFusion().run(before)).isEqualTo(before);
        assertThat(new BatchNormPoolFusion().explain(before)).containsExactly(
                "batchnorm_relu %9 not fused with maxpool2d %10: its result is read by %10 maxpool2d, %16 flatten, "
                        + "%34 maxpool2d_grad, %37 batchnorm_relu_grad_input, %38 batchnorm_relu_grad_gamma, "
                        + "%39 batchnorm_relu_grad_beta");
    }

    @Test
    void averagePoolingAndInferenceProgramsAreLeftAlone() throws Exception {
        Graph average = training(AVERAGE);
        assertThat(mnemonics(average)).containsAtLeast("batchnorm_relu", "avgpool2d");
        assertThat(new BatchNormPoolFusion().run(average)).isEqualTo(average);
        assertThat(new BatchNormPoolFusion().explain(average)).isEmpty();
        Graph infer = Inference.of(forward(SOURCE)).graph();
        assertThat(new BatchNormPoolFusion().run(infer)).isEqualTo(infer);
    }

    private static List<String> mnemonics(Graph g) {
        return g.nodes().stream().map(n -> n.op().mnemonic()).toList();
    }
}
