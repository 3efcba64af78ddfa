package org.dnnc.compiler.passes;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.autodiff.Inference;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationGrad;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.BatchNormGradGamma;
import org.dnnc.compiler.ir.BatchNormGradInput;
import org.dnnc.compiler.ir.BatchNormReluGradBeta;
import org.dnnc.compiler.ir.BiasGrad;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.ir.IrTypeException;
import org.dnnc.compiler.ir.Node;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.ir.Verifier;
import org.junit.jupiter.api.Test;

/**
 * {@code fuse-batchnorm-relu}: dumps of training programs before and after, the batchnorm it must
 * leave alone and why, and that the fused program computes the same outputs and gradients as the
 * original, by the double-precision reference interpreter on random inputs and parameters.
 */
class BatchNormReluFusionTest {
    private static final int BATCH = 4;

    /**
     * A batchnorm and ReLU on images and another on vectors. The layers before them have no bias:
     * its gradient through a batchnorm is zero, and would compare only rounding noise.
     */
    private static final String SOURCE = """
            network Norm {
                input x: float[2, 4, 4];
                input label: int;
                logits = x -> conv2d(3, 3, padding: 1, bias: false) -> batchnorm -> relu -> flatten
                           -> dense(4, bias: false) -> batchnorm -> relu -> dense(2);
                output p = softmax(logits);
                train { loss = cross_entropy(logits, label); }
            }
            """;

    /** The batchnorm's result is read by the ReLU and by the residual add. */
    private static final String SHARED = """
            network Shared {
                input x: float[2, 4, 4];
                input label: int;
                h = x -> conv2d(3, 3, padding: 1, bias: false) -> batchnorm;
                logits = relu(h) + h -> flatten -> dense(2);
                output p = softmax(logits);
                train { loss = cross_entropy(logits, label); }
            }
            """;

    private static Graph forward(String name, String source) {
        return Compiler.compile(new SourceFile(name, source)).networks().get(0).graph();
    }

    private static String dump(Graph g) {
        return IrPrinter.print(g).replaceAll(" +#.*", "");
    }

    @Test
    void fusesBatchnormAndReluAndTheirGradientsInATrainingProgram() throws Exception {
        Graph before = Differentiator.train(forward("norm.dnn", SOURCE)).graph();
        assertThat(dump(before)).isEqualTo("""
                graph Norm {
                  %0 = input "x" : f32[N,2,4,4]
                  %1 = input "label" : i32[N]
                  %2 = param "logits.conv2d1.weight" {init=glorot_uniform} : f32[3,2,3,3]
                  %3 = conv2d(%0, %2) {stride=[1,1], pad=[1,1,1,1]} : f32[N,3,4,4]
                  %4 = param "logits.batchnorm1.weight" {init=ones} : f32[3]
                  %5 = param "logits.batchnorm1.bias" {init=zeros} : f32[3]
                  %6 = param "logits.batchnorm1.running_mean" {init=zeros, buffer} : f32[3]
                  %7 = param "logits.batchnorm1.running_var" {init=ones, buffer} : f32[3]
                  %8 = batchnorm(%3, %4, %5, %6, %7) {eps=1e-05, momentum=0.1} : f32[N,3,4,4]
                  %9 = relu(%8) : f32[N,3,4,4]
                  %10 = flatten(%9) : f32[N,48]
                  %11 = param "logits.dense1.weight" {init=glorot_uniform} : f32[4,48]
                  %12 = matmul(%10, %11) : f32[N,4]
                  %13 = param "logits.batchnorm2.weight" {init=ones} : f32[4]
                  %14 = param "logits.batchnorm2.bias" {init=zeros} : f32[4]
                  %15 = param "logits.batchnorm2.running_mean" {init=zeros, buffer} : f32[4]
                  %16 = param "logits.batchnorm2.running_var" {init=ones, buffer} : f32[4]
                  %17 = batchnorm(%12, %13, %14, %15, %16) {eps=1e-05, momentum=0.1} : f32[N,4]
                  %18 = relu(%17) : f32[N,4]
                  %19 = param "logits.dense2.weight" {init=glorot_uniform} : f32[2,4]
                  %20 = matmul(%18, %19) : f32[N,2]
                  %21 = param "logits.dense2.bias" {init=zeros} : f32[2]
                  %22 = bias_add(%20, %21) {axis=-1} : f32[N,2]
                  %23 = softmax(%22) {axis=1} : f32[N,2]
                  %24 = cross_entropy(%22, %1) : f32[]
                  %25 = constant() {value=1} : f32[]
                  %26 = cross_entropy_grad(%22, %1, %25) : f32[N,2]
                  %27 = bias_grad(%26) {axis=-1} : f32[2]
                  %28 = matmul_grad_input(%26, %19) : f32[N,4]
                  %29 = matmul_grad_weight(%26, %18) : f32[2,4]
                  %30 = relu_grad(%28, %18) : f32[N,4]
                  %31 = batchnorm_grad_input(%30, %12, %13) {eps=1e-05} : f32[N,4]
                  %32 = batchnorm_grad_gamma(%30, %12) {eps=1e-05} : f32[4]
                  %33 = bias_grad(%30) {axis=1} : f32[4]
                  %34 = matmul_grad_input(%31, %11) : f32[N,48]
                  %35 = matmul_grad_weight(%31, %10) : f32[4,48]
                  %36 = reshape(%34) {shape=[3,4,4]} : f32[N,3,4,4]
                  %37 = relu_grad(%36, %9) : f32[N,3,4,4]
                  %38 = batchnorm_grad_input(%37, %3, %4) {eps=1e-05} : f32[N,3,4,4]
                  %39 = batchnorm_grad_gamma(%37, %3) {eps=1e-05} : f32[3]
                  %40 = bias_grad(%37) {axis=1} : f32[3]
                  %41 = conv2d_grad_weight(%38, %0) {stride=[1,1], pad=[1,1,1,1], kernel=[3,3]} : f32[3,2,3,3]
                  return p=%23, loss=%24, grad:logits.conv2d1.weight=%41, grad:logits.batchnorm1.weight=%39, \
                grad:logits.batchnorm1.bias=%40, grad:logits.dense1.weight=%35, grad:logits.batchnorm2.weight=%32, \
                grad:logits.batchnorm2.bias=%33, grad:logits.dense2.weight=%29, grad:logits.dense2.bias=%27
                }
                """);
        Graph after = new BatchNormReluFusion().run(before);
        Verifier.verify(after);
        // Each batchnorm_relu keeps the ReLU's id, which the gradients read as the mask y; no relu_grad is left.
        assertThat(dump(after)).isEqualTo("""
                graph Norm {
                  %0 = input "x" : f32[N,2,4,4]
                  %1 = input "label" : i32[N]
                  %2 = param "logits.conv2d1.weight" {init=glorot_uniform} : f32[3,2,3,3]
                  %3 = conv2d(%0, %2) {stride=[1,1], pad=[1,1,1,1]} : f32[N,3,4,4]
                  %4 = param "logits.batchnorm1.weight" {init=ones} : f32[3]
                  %5 = param "logits.batchnorm1.bias" {init=zeros} : f32[3]
                  %6 = param "logits.batchnorm1.running_mean" {init=zeros, buffer} : f32[3]
                  %7 = param "logits.batchnorm1.running_var" {init=ones, buffer} : f32[3]
                  %9 = batchnorm_relu(%3, %4, %5, %6, %7) {eps=1e-05, momentum=0.1} : f32[N,3,4,4]
                  %10 = flatten(%9) : f32[N,48]
                  %11 = param "logits.dense1.weight" {init=glorot_uniform} : f32[4,48]
                  %12 = matmul(%10, %11) : f32[N,4]
                  %13 = param "logits.batchnorm2.weight" {init=ones} : f32[4]
                  %14 = param "logits.batchnorm2.bias" {init=zeros} : f32[4]
                  %15 = param "logits.batchnorm2.running_mean" {init=zeros, buffer} : f32[4]
                  %16 = param "logits.batchnorm2.running_var" {init=ones, buffer} : f32[4]
                  %18 = batchnorm_relu(%12, %13, %14, %15, %16) {eps=1e-05, momentum=0.1} : f32[N,4]
                  %19 = param "logits.dense2.weight" {init=glorot_uniform} : f32[2,4]
                  %20 = matmul(%18, %19) : f32[N,2]
                  %21 = param "logits.dense2.bias" {init=zeros} : f32[2]
                  %22 = bias_add(%20, %21) {axis=-1} : f32[N,2]
                  %23 = softmax(%22) {axis=1} : f32[N,2]
                  %24 = cross_entropy(%22, %1) : f32[]
                  %25 = constant() {value=1} : f32[]
                  %26 = cross_entropy_grad(%22, %1, %25) : f32[N,2]
                  %27 = bias_grad(%26) {axis=-1} : f32[2]
                  %28 = matmul_grad_input(%26, %19) : f32[N,4]
                  %29 = matmul_grad_weight(%26, %18) : f32[2,4]
                  %31 = batchnorm_relu_grad_input(%28, %12, %13, %18) {eps=1e-05} : f32[N,4]
                  %32 = batchnorm_relu_grad_gamma(%28, %12, %18) {eps=1e-05} : f32[4]
                  %33 = batchnorm_relu_grad_beta(%28, %18) : f32[4]
                  %34 = matmul_grad_input(%31, %11) : f32[N,48]
                  %35 = matmul_grad_weight(%31, %10) : f32[4,48]
                  %36 = reshape(%34) {shape=[3,4,4]} : f32[N,3,4,4]
                  %38 = batchnorm_relu_grad_input(%36, %3, %4, %9) {eps=1e-05} : f32[N,3,4,4]
                  %39 = batchnorm_relu_grad_gamma(%36, %3, %9) {eps=1e-05} : f32[3]
                  %40 = batchnorm_relu_grad_beta(%36, %9) : f32[3]
                  %41 = conv2d_grad_weight(%38, %0) {stride=[1,1], pad=[1,1,1,1], kernel=[3,3]} : f32[3,2,3,3]
                  return p=%23, loss=%24, grad:logits.conv2d1.weight=%41, grad:logits.batchnorm1.weight=%39, \
                grad:logits.batchnorm1.bias=%40, grad:logits.dense1.weight=%35, grad:logits.batchnorm2.weight=%32, \
                grad:logits.batchnorm2.bias=%33, grad:logits.dense2.weight=%29, grad:logits.dense2.bias=%27
                }
                """);
        assertThat(new BatchNormReluFusion().explain(before)).isEmpty();
        SameOutputs.assertSameOutputs(before, after, BATCH, 17);
        // Nothing is left to fuse, and the fused program is a fixed point.
        assertThat(new BatchNormReluFusion().run(after)).isEqualTo(after);
        assertThat(new BatchNormReluFusion().explain(after)).isEmpty();
    }

    /** With the batchnorms frozen only the input gradient reads the ReLU's gradient; it is masked all the same. */
    @Test
    void fusesTheInputGradientOfAFrozenBatchnorm() throws Exception {
        Graph before = Differentiator.train(forward("norm.dnn", SOURCE), name -> !name.contains(".batchnorm")).graph();
        assertThat(mnemonics(before)).containsAtLeast("batchnorm", "relu_grad", "batchnorm_grad_input");
        assertThat(mnemonics(before)).doesNotContain("batchnorm_grad_gamma");
        Graph after = new BatchNormReluFusion().run(before);
        Verifier.verify(after);
        List<String> ops = mnemonics(after);
        assertThat(ops).containsNoneOf("batchnorm", "relu", "relu_grad", "batchnorm_grad_input",
                "batchnorm_relu_grad_gamma", "batchnorm_relu_grad_beta");
        assertThat(ops.stream().filter("batchnorm_relu"::equals).count()).isEqualTo(2);
        assertThat(ops.stream().filter("batchnorm_relu_grad_input"::equals).count()).isEqualTo(2);
        assertThat(after.nodes()).hasSize(before.nodes().size() - 4);
        SameOutputs.assertSameOutputs(before, after, BATCH, 29);
    }

    @Test
    void aBatchnormReadBesidesTheReluIsLeftAloneAndExplained() throws Exception {
        Graph before = Differentiator.train(forward("shared.dnn", SHARED)).graph();
        // %8 batchnorm is read by %9 relu and %10 add; the relu_grad %24 is added to the add's gradient.
        assertThat(dump(before)).contains("""
                  %8 = batchnorm(%3, %4, %5, %6, %7) {eps=1e-05, momentum=0.1} : f32[N,3,4,4]
                  %9 = relu(%8) : f32[N,3,4,4]
                  %10 = add(%9, %8) : f32[N,3,4,4]
                """);
        assertThat(dump(before)).contains("""
                  %24 = relu_grad(%23, %9) : f32[N,3,4,4]
                  %25 = add(%23, %24) : f32[N,3,4,4]
                  %26 = batchnorm_grad_input(%25, %3, %4) {eps=1e-05} : f32[N,3,4,4]
                  %27 = batchnorm_grad_gamma(%25, %3) {eps=1e-05} : f32[3]
                  %28 = bias_grad(%25) {axis=1} : f32[3]
                """);
        assertThat(new BatchNormReluFusion().run(before)).isEqualTo(before);
        assertThat(new BatchNormReluFusion().explain(before)).containsExactly(
                "batchnorm %8 not fused with relu %9: its result is also read by %9 relu, %10 add");
    }

    @Test
    void aBatchnormThatIsAnOutputIsLeftAloneAndExplained() throws IrTypeException {
        Graph before = vectors(true);
        assertThat(new BatchNormReluFusion().run(before)).isEqualTo(before);
        assertThat(new BatchNormReluFusion().explain(before)).containsExactly(
                "batchnorm %6 not fused with relu %7: its result is also read by %7 relu, the output normalized");
    }

    @Test
    void inferenceProgramsAreLeftToBatchnormFolding() {
        Graph infer = Inference.of(forward("norm.dnn", SOURCE)).graph();
        assertThat(mnemonics(infer)).contains("batchnorm_inference");
        assertThat(new BatchNormReluFusion().run(infer)).isEqualTo(infer);
        assertThat(new BatchNormReluFusion().explain(infer)).isEmpty();
    }

    /**
     * A hand-built backward pass on vectors whose beta gradient is a {@code bias_grad} along axis
     * -1, and whose ReLU gradient is also an output: the gradients are rewritten to read dy and y,
     * but the ReLU gradient stays, as something else still reads it.
     */
    @Test
    void keepsAReluGradientReadElsewhereAndStillRewritesTheBatchnormGradients() throws IrTypeException {
        Graph before = vectors(false);
        assertThat(IrPrinter.print(before)).isEqualTo("""
                graph Vectors {
                  %0 = input "x" : f32[N,3]
                  %1 = input "dy" : f32[N,3]
                  %2 = param "gamma" {init=ones} : f32[3]
                  %3 = param "beta" {init=zeros} : f32[3]
                  %4 = param "mean" {init=zeros, buffer} : f32[3]
                  %5 = param "var" {init=ones, buffer} : f32[3]
                  %6 = batchnorm(%0, %2, %3, %4, %5) {eps=0.001, momentum=0.2} : f32[N,3]
                  %7 = relu(%6) : f32[N,3]
                  %8 = relu_grad(%1, %7) : f32[N,3]
                  %9 = batchnorm_grad_input(%8, %0, %2) {eps=0.001} : f32[N,3]
                  %10 = batchnorm_grad_gamma(%8, %0) {eps=0.001} : f32[3]
                  %11 = bias_grad(%8) {axis=-1} : f32[3]
                  return y=%7, dx=%9, dgamma=%10, dbeta=%11, dmasked=%8
                }
                """);
        Graph after = new BatchNormReluFusion().run(before);
        Verifier.verify(after);
        assertThat(IrPrinter.print(after)).isEqualTo("""
                graph Vectors {
                  %0 = input "x" : f32[N,3]
                  %1 = input "dy" : f32[N,3]
                  %2 = param "gamma" {init=ones} : f32[3]
                  %3 = param "beta" {init=zeros} : f32[3]
                  %4 = param "mean" {init=zeros, buffer} : f32[3]
                  %5 = param "var" {init=ones, buffer} : f32[3]
                  %7 = batchnorm_relu(%0, %2, %3, %4, %5) {eps=0.001, momentum=0.2} : f32[N,3]
                  %8 = relu_grad(%1, %7) : f32[N,3]
                  %9 = batchnorm_relu_grad_input(%1, %0, %2, %7) {eps=0.001} : f32[N,3]
                  %10 = batchnorm_relu_grad_gamma(%1, %0, %7) {eps=0.001} : f32[3]
                  %11 = batchnorm_relu_grad_beta(%1, %7) : f32[3]
                  return y=%7, dx=%9, dgamma=%10, dbeta=%11, dmasked=%8
                }
                """);
        SameOutputs.assertSameOutputs(before, after, BATCH, 3);
    }

    /** The numerical comparison is strict enough to see a beta gradient that forgets the ReLU's mask. */
    @Test
    void theNumericalCheckCatchesAnUnmaskedBetaGradient() throws Exception {
        Graph before = Differentiator.train(forward("norm.dnn", SOURCE)).graph();
        Graph after = new BatchNormReluFusion().run(before);
        List<Node> nodes = new ArrayList<>();
        for (Node n : after.nodes()) {
            nodes.add(n.op() instanceof BatchNormReluGradBeta
                    ? new Node(n.id(), new BiasGrad(1), List.of(n.inputs().get(0)), n.type(), n.origin())
                    : n);
        }
        Graph wrong = new Graph(after.name(), nodes, after.outputs());
        Verifier.verify(wrong);
        assertThrows(AssertionError.class, () -> SameOutputs.assertSameOutputs(before, wrong, BATCH, 17));
    }

    /**
     * batchnorm -> relu on vectors with a hand-written backward pass: the batchnorm's result is an
     * output too ({@code shared}), or the ReLU's gradient is ({@code !shared}).
     */
    private static Graph vectors(boolean shared) throws IrTypeException {
        var b = new GraphBuilder("Vectors");
        TensorType t = TensorType.f32(Dim.BATCH, Dim.of(3));
        TensorType c = TensorType.f32(Dim.of(3));
        int x = b.input("x", t, Origin.NONE);
        int dy = b.input("dy", t, Origin.NONE);
        int gamma = b.param("gamma", c, true, "ones", Origin.NONE);
        int beta = b.param("beta", c, true, "zeros", Origin.NONE);
        int mean = b.param("mean", c, false, "zeros", Origin.NONE);
        int var = b.param("var", c, false, "ones", Origin.NONE);
        int norm = b.add(new BatchNorm(1e-3, 0.2), List.of(x, gamma, beta, mean, var), Origin.NONE);
        int y = b.add(new Activation(ActivationKind.RELU, 0), List.of(norm), Origin.NONE);
        int d = b.add(new ActivationGrad(ActivationKind.RELU, 0), List.of(dy, y), Origin.NONE);
        b.output("y", y);
        b.output("dx", b.add(new BatchNormGradInput(1e-3), List.of(d, x, gamma), Origin.NONE));
        b.output("dgamma", b.add(new BatchNormGradGamma(1e-3), List.of(d, x), Origin.NONE));
        b.output("dbeta", b.add(new BiasGrad(-1), List.of(d), Origin.NONE));
        b.output(shared ? "normalized" : "dmasked", shared ? norm : d);
        return b.build();
    }

    private static List<String> mnemonics(Graph g) {
        return g.nodes().stream().map(n -> n.op().mnemonic()).toList();
    }
}
