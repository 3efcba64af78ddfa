package org.dnnc.compiler.passes;

import static com.google.common.truth.Truth.assertThat;

import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.ir.Verifier;
import org.junit.jupiter.api.Test;

/**
 * {@code fuse-batchnorm-add}: dumps of a training program with a residual block before and after,
 * then with {@code fuse-batchnorm-relu} after it; the adds it must leave alone and why; and that
 * the fused programs compute the same outputs and gradients as the original, by the
 * double-precision reference interpreter on random inputs and parameters.
 */
class BatchNormResidualFusionTest {
    private static final int BATCH = 4;

    /** An identity shortcut around a convolution and batchnorm, then a ReLU: the end of a residual block. */
    private static final String SOURCE = """
            network Res {
                input x: float[2, 4, 4];
                input label: int;
                y = x -> conv2d(2, 3, padding: 1, bias: false) -> batchnorm;
                s = relu(x + y);
                logits = s -> flatten -> dense(2);
                output p = softmax(logits);
                train { loss = cross_entropy(logits, label); }
            }
            """;

    /** The batchnorm's result is read by two adds. */
    private static final String SHARED = """
            network Shared {
                input x: float[2, 4, 4];
                input label: int;
                y = x -> conv2d(2, 3, padding: 1, bias: false) -> batchnorm;
                s = relu(x + y) + y;
                logits = s -> flatten -> dense(2);
                output p = softmax(logits);
                train { loss = cross_entropy(logits, label); }
            }
            """;

    private static Graph train(String name, String source) throws Exception {
        return Differentiator.train(Compiler.compile(new SourceFile(name, source)).networks().get(0).graph()).graph();
    }

    private static String dump(Graph g) {
        return IrPrinter.print(g).replaceAll(" +#.*", "");
    }

    @Test
    void fusesTheResidualAddAndThenTheRelu() throws Exception {
        Graph before = train("res.dnn", SOURCE);
        assertThat(dump(before)).contains("""
                  %8 = batchnorm(%3, %4, %5, %6, %7) {eps=1e-05, momentum=0.1} : f32[N,2,4,4]
                  %9 = add(%0, %8) : f32[N,2,4,4]
                  %10 = relu(%9) : f32[N,2,4,4]
                """);
        Graph after = new BatchNormResidualFusion().run(before);
        Verifier.verify(after);
        // The fused node keeps the add's id and the batchnorm's origin; the shortcut is its sixth operand.
        assertThat(dump(after)).isEqualTo("""
                graph Res {
                  %0 = input "x" : f32[N,2,4,4]
                  %1 = input "label" : i32[N]
                  %2 = param "y.conv2d1.weight" {init=glorot_uniform} : f32[2,2,3,3]
                  %3 = conv2d(%0, %2) {stride=[1,1], pad=[1,1,1,1]} : f32[N,2,4,4]
                  %4 = param "y.batchnorm1.weight" {init=ones} : f32[2]
                  %5 = param "y.batchnorm1.bias" {init=zeros} : f32[2]
                  %6 = param "y.batchnorm1.running_mean" {init=zeros, buffer} : f32[2]
                  %7 = param "y.batchnorm1.running_var" {init=ones, buffer} : f32[2]
                  %9 = batchnorm_add(%3, %4, %5, %6, %7, %0) {eps=1e-05, momentum=0.1} : f32[N,2,4,4]
                  %10 = relu(%9) : f32[N,2,4,4]
                  %11 = flatten(%10) : f32[N,32]
                  %12 = param "logits.dense1.weight" {init=glorot_uniform} : f32[2,32]
                  %13 = matmul(%11, %12) : f32[N,2]
                  %14 = param "logits.dense1.bias" {init=zeros} : f32[2]
                  %15 = bias_add(%13, %14) {axis=-1} : f32[N,2]
                  %16 = softmax(%15) {axis=1} : f32[N,2]
                  %17 = cross_entropy(%15, %1) : f32[]
                  %18 = constant() {value=1} : f32[]
                  %19 = cross_entropy_grad(%15, %1, %18) : f32[N,2]
                  %20 = bias_grad(%19) {axis=-1} : f32[2]
                  %21 = matmul_grad_input(%19, %12) : f32[N,32]
                  %22 = matmul_grad_weight(%19, %11) : f32[2,32]
                  %23 = reshape(%21) {shape=[2,4,4]} : f32[N,2,4,4]
                  %24 = relu_grad(%23, %10) : f32[N,2,4,4]
                  %25 = batchnorm_grad_input(%24, %3, %4) {eps=1e-05} : f32[N,2,4,4]
                  %26 = batchnorm_grad_gamma(%24, %3) {eps=1e-05} : f32[2]
                  %27 = bias_grad(%24) {axis=1} : f32[2]
                  %28 = conv2d_grad_weight(%25, %0) {stride=[1,1], pad=[1,1,1,1], kernel=[3,3]} : f32[2,2,3,3]
                  return p=%16, loss=%17, grad:y.conv2d1.weight=%28, grad:y.batchnorm1.weight=%26, \
                grad:y.batchnorm1.bias=%27, grad:logits.dense1.weight=%22, grad:logits.dense1.bias=%20
                }
                """);
        Graph both = new BatchNormReluFusion().run(after);
        Verifier.verify(both);
        // The ReLU folds in too, and the gradients mask with the fused result as for batchnorm_relu.
        assertThat(dump(both)).isEqualTo("""
                graph Res {
                  %0 = input "x" : f32[N,2,4,4]
                  %1 = input "label" : i32[N]
                  %2 = param "y.conv2d1.weight" {init=glorot_uniform} : f32[2,2,3,3]
                  %3 = conv2d(%0, %2) {stride=[1,1], pad=[1,1,1,1]} : f32[N,2,4,4]
                  %4 = param "y.batchnorm1.weight" {init=ones} : f32[2]
                  %5 = param "y.batchnorm1.bias" {init=zeros} : f32[2]
                  %6 = param "y.batchnorm1.running_mean" {init=zeros, buffer} : f32[2]
                  %7 = param "y.batchnorm1.running_var" {init=ones, buffer} : f32[2]
                  %10 = batchnorm_add_relu(%3, %4, %5, %6, %7, %0) {eps=1e-05, momentum=0.1} : f32[N,2,4,4]
                  %11 = flatten(%10) : f32[N,32]
                  %12 = param "logits.dense1.weight" {init=glorot_uniform} : f32[2,32]
                  %13 = matmul(%11, %12) : f32[N,2]
                  %14 = param "logits.dense1.bias" {init=zeros} : f32[2]
                  %15 = bias_add(%13, %14) {axis=-1} : f32[N,2]
                  %16 = softmax(%15) {axis=1} : f32[N,2]
                  %17 = cross_entropy(%15, %1) : f32[]
                  %18 = constant() {value=1} : f32[]
                  %19 = cross_entropy_grad(%15, %1, %18) : f32[N,2]
                  %20 = bias_grad(%19) {axis=-1} : f32[2]
                  %21 = matmul_grad_input(%19, %12) : f32[N,32]
                  %22 = matmul_grad_weight(%19, %11) : f32[2,32]
                  %23 = reshape(%21) {shape=[2,4,4]} : f32[N,2,4,4]
                  %25 = batchnorm_relu_grad_input(%23, %3, %4, %10) {eps=1e-05} : f32[N,2,4,4]
                  %26 = batchnorm_relu_grad_gamma(%23, %3, %10) {eps=1e-05} : f32[2]
                  %27 = batchnorm_relu_grad_beta(%23, %10) : f32[2]
                  %28 = conv2d_grad_weight(%25, %0) {stride=[1,1], pad=[1,1,1,1], kernel=[3,3]} : f32[2,2,3,3]
                  return p=%16, loss=%17, grad:y.conv2d1.weight=%28, grad:y.batchnorm1.weight=%26, \
                grad:y.batchnorm1.bias=%27, grad:logits.dense1.weight=%22, grad:logits.dense1.bias=%20
                }
                """);
        assertThat(new BatchNormResidualFusion().explain(before)).isEmpty();
        SameOutputs.assertSameOutputs(before, after, BATCH, 41);
        SameOutputs.assertSameOutputs(before, both, BATCH, 43);
        assertThat(new BatchNormResidualFusion().run(after)).isEqualTo(after);
    }

    @Test
    void aBatchnormReadTwiceIsLeftAloneAndExplained() throws Exception {
        Graph before = train("shared.dnn", SHARED);
        assertThat(new BatchNormResidualFusion().run(before)).isEqualTo(before);
        assertThat(new BatchNormResidualFusion().explain(before)).containsExactly(
                "batchnorm %8 not fused with add %9: its result is read by %9 add, %11 add",
                "batchnorm %8 not fused with add %11: its result is read by %9 add, %11 add");
    }
}
