package org.dnnc.compiler.passes;

import static com.google.common.truth.Truth.assertThat;

import java.util.List;
import java.util.Map;
import org.dnnc.compiler.Compiler;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.Activation;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.BatchNorm;
import org.dnnc.compiler.ir.BiasAdd;
import org.dnnc.compiler.ir.BiasGrad;
import org.dnnc.compiler.ir.Binary;
import org.dnnc.compiler.ir.BinaryKind;
import org.dnnc.compiler.ir.Conv2d;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Flatten;
import org.dnnc.compiler.ir.FusedElementwise;
import org.dnnc.compiler.ir.FusedElementwise.Ref;
import org.dnnc.compiler.ir.FusedElementwise.Step;
import org.dnnc.compiler.ir.GlobalAvgPool;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.IrPrinter;
import org.dnnc.compiler.ir.IrTypeException;
import org.dnnc.compiler.ir.Layout;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.Pool2d;
import org.dnnc.compiler.ir.PoolKind;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.target.CpuTarget;
import org.junit.jupiter.api.Test;

/**
 * {@code assign-layouts}: the dumps of training programs before and after (with max pooling fused
 * into batch norm, with a residual add), which values it must keep in NCHW and why, that a
 * batchnorm's values and its gradients' share one layout, and an element-wise node's operands too.
 */
class LayoutAssignmentTest {

    /** Two convolutions with batchnorm and ReLU on 16 and 32 channels, then global average pooling. */
    private static final String SOURCE = """
            network Blocked {
                input x: float[3, 8, 8];
                input label: int;
                logits = x -> conv2d(16, 3, padding: 1, bias: false) -> batchnorm -> relu
                           -> conv2d(32, 3, stride: 2, padding: 1, bias: false) -> batchnorm -> relu
                           -> global_avgpool -> dense(2);
                output p = softmax(logits);
                train { loss = cross_entropy(logits, label); }
            }
            """;

    /** As {@link #SOURCE}, but the second batchnorm has no ReLU, so its beta gradient is a {@code bias_grad}. */
    private static final String UNFUSED = SOURCE.replaceFirst(" -> relu(\\n\\s*-> global)", "$1");

    /** Two convolutions, each with batchnorm, ReLU and max pooling (fused into one node), then flatten. */
    private static final String POOLED = """
            network Pooled {
                input x: float[3, 8, 8];
                input label: int;
                logits = x -> conv2d(16, 3, padding: 1, bias: false) -> batchnorm -> relu -> maxpool(2)
                           -> conv2d(32, 3, padding: 1, bias: false) -> batchnorm -> relu -> maxpool(2)
                           -> flatten -> dense(2);
                output p = softmax(logits);
                train { loss = cross_entropy(logits, label); }
            }
            """;

    /** A stem and a residual branch added without a ReLU, so that the gradients meet in an {@code add}. */
    private static final String RESIDUAL = """
            network Residual {
                input x: float[3, 8, 8];
                input label: int;
                stem = x -> conv2d(16, 3, padding: 1, bias: false) -> batchnorm -> relu;
                branch = stem -> conv2d(16, 3, padding: 1, bias: false) -> batchnorm -> relu
                              -> conv2d(16, 3, padding: 1, bias: false) -> batchnorm;
                logits = (stem + branch) -> global_avgpool -> dense(2);
                output p = softmax(logits);
                train { loss = cross_entropy(logits, label); }
            }
            """;

    /** The training program of {@code source} after every CPU pass but this one. */
    private static Graph beforeLayouts(String name, String source) throws Exception {
        Graph forward = Compiler.compile(new SourceFile(name, source)).networks().get(0).graph();
        List<Pass> passes = CpuTarget.INSTANCE.passes(true).passes();
        assertThat(passes.get(passes.size() - 1)).isInstanceOf(LayoutAssignment.class);
        return new PassManager(passes.subList(0, passes.size() - 1)).run(Differentiator.train(forward).graph(),
                PassListener.NONE);
    }

    private static String dump(Graph g) {
        return IrPrinter.print(g).replaceAll(" +#.*", "");
    }

    @Test
    void blocksTheActivationsBetweenConvolutionsBatchnormsAndGlobalPooling() throws Exception {
        Graph before = beforeLayouts("blocked.dnn", SOURCE);
        Graph after = new LayoutAssignment().run(before);
        // The image, with 3 channels, and the dense layer's values stay NCHW; so do all values before the pass.
        assertThat(dump(after)).isEqualTo("""
                graph Blocked {
                  %0 = input "x" : f32[N,3,8,8]
                  %1 = input "label" : i32[N]
                  %2 = param "logits.conv2d1.weight" {init=glorot_uniform} : f32[16,3,3,3]
                  %3 = conv2d(%0, %2) {stride=[1,1], pad=[1,1,1,1]} : f32[N,16,8,8] nChw16c
                  %4 = param "logits.batchnorm1.weight" {init=ones} : f32[16]
                  %5 = param "logits.batchnorm1.bias" {init=zeros} : f32[16]
                  %6 = param "logits.batchnorm1.running_mean" {init=zeros, buffer} : f32[16]
                  %7 = param "logits.batchnorm1.running_var" {init=ones, buffer} : f32[16]
                  %9 = batchnorm_relu(%3, %4, %5, %6, %7) {eps=1e-05, momentum=0.1} : f32[N,16,8,8] nChw16c
                  %10 = param "logits.conv2d2.weight" {init=glorot_uniform} : f32[32,16,3,3]
                  %11 = conv2d(%9, %10) {stride=[2,2], pad=[1,1,1,1]} : f32[N,32,4,4] nChw16c
                  %12 = param "logits.batchnorm2.weight" {init=ones} : f32[32]
                  %13 = param "logits.batchnorm2.bias" {init=zeros} : f32[32]
                  %14 = param "logits.batchnorm2.running_mean" {init=zeros, buffer} : f32[32]
                  %15 = param "logits.batchnorm2.running_var" {init=ones, buffer} : f32[32]
                  %17 = batchnorm_relu(%11, %12, %13, %14, %15) {eps=1e-05, momentum=0.1} : f32[N,32,4,4] nChw16c
                  %18 = global_avgpool(%17) : f32[N,32]
                  %19 = param "logits.dense1.weight" {init=glorot_uniform} : f32[2,32]
                  %21 = param "logits.dense1.bias" {init=zeros} : f32[2]
                  %22 = dense(%18, %19, %21) {activation=identity} : f32[N,2]
                  %23 = softmax(%22) {axis=1} : f32[N,2]
                  %24 = cross_entropy(%22, %1) : f32[]
                  %25 = constant() {value=1} : f32[]
                  %26 = cross_entropy_grad(%22, %1, %25) : f32[N,2]
                  %27 = bias_grad(%26) {axis=-1} : f32[2]
                  %28 = matmul_grad_input(%26, %19) : f32[N,32]
                  %29 = matmul_grad_weight(%26, %18) : f32[2,32]
                  %30 = global_avgpool_grad(%28) {input=[4,4]} : f32[N,32,4,4] nChw16c
                  %32 = batchnorm_relu_grad_input(%30, %11, %12, %17) {eps=1e-05} : f32[N,32,4,4] nChw16c
                  %33 = batchnorm_relu_grad_gamma(%30, %11, %17) {eps=1e-05} : f32[32]
                  %34 = batchnorm_relu_grad_beta(%30, %17) : f32[32]
                  %35 = conv2d_grad_input(%32, %10) {stride=[2,2], pad=[1,1,1,1], input=[8,8]} : f32[N,16,8,8] nChw16c
                  %36 = conv2d_grad_weight(%32, %9) {stride=[2,2], pad=[1,1,1,1], kernel=[3,3]} : f32[32,16,3,3]
                  %38 = batchnorm_relu_grad_input(%35, %3, %4, %9) {eps=1e-05} : f32[N,16,8,8] nChw16c
                  %39 = batchnorm_relu_grad_gamma(%35, %3, %9) {eps=1e-05} : f32[16]
                  %40 = batchnorm_relu_grad_beta(%35, %9) : f32[16]
                  %41 = conv2d_grad_weight(%38, %0) {stride=[1,1], pad=[1,1,1,1], kernel=[3,3]} : f32[16,3,3,3]
                  return p=%23, loss=%24, grad:logits.conv2d1.weight=%41, grad:logits.batchnorm1.weight=%39, grad:logits.batchnorm1.bias=%40, grad:logits.conv2d2.weight=%36, grad:logits.batchnorm2.weight=%33, grad:logits.batchnorm2.bias=%34, grad:logits.dense1.weight=%29, grad:logits.dense1.bias=%27
                }
                """);
        assertThat(dump(before)).isEqualTo(dump(after).replace(" nChw16c", ""));
        assertThat(before.layouts()).isEmpty();
        assertThat(new LayoutAssignment().explain(before)).isEmpty();
    }

    @Test
    void aBatchnormsValuesAndItsGradientsShareOneLayout() throws Exception {
        Graph before = beforeLayouts("unfused.dnn", UNFUSED);
        Graph after = new LayoutAssignment().run(before);
        // The second convolution's result, the batchnorm's, the pooling's gradient and the batchnorm's
        // input gradient are one class; the bias_grad of the beta gradient reads dy inside their call.
        assertThat(dump(after)).containsMatch("= conv2d\\(%9, %\\d+\\) .* : f32\\[N,32,4,4\\] nChw16c\n");
        assertThat(dump(after)).containsMatch("= batchnorm\\(.* : f32\\[N,32,4,4\\] nChw16c\n");
        assertThat(dump(after)).containsMatch("= global_avgpool_grad\\(.* : f32\\[N,32,4,4\\] nChw16c\n");
        assertThat(dump(after)).containsMatch("= batchnorm_grad_input\\(.* : f32\\[N,32,4,4\\] nChw16c\n");
        assertThat(dump(after)).containsMatch("= bias_grad\\(%29\\) \\{axis=1\\} : f32\\[32\\]\n");
        assertThat(after.layouts()).hasSize(8);
        assertThat(new LayoutAssignment().explain(before)).isEmpty();
    }

    @Test
    void keepsOutputsValuesReadElsewhereAndPartialBlocksInNchw() throws IrTypeException {
        var b = new GraphBuilder("Rules");
        int x = b.input("x", TensorType.f32(Dim.BATCH, Dim.of(16), Dim.of(4), Dim.of(4)), Origin.NONE);
        int w = b.param("w", TensorType.f32(Dim.of(16), Dim.of(16), Dim.of(3), Dim.of(3)), true, "zeros", Origin.NONE);
        int v = b.param("v", TensorType.f32(Dim.of(24), Dim.of(16), Dim.of(3), Dim.of(3)), true, "zeros", Origin.NONE);
        Conv2d conv = new Conv2d(1, 1, 1, 1, 1, 1);
        int blocked = b.add(conv, List.of(x, w), Origin.NONE);
        int output = b.add(conv, List.of(blocked, w), Origin.NONE);
        int readByPool = b.add(conv, List.of(blocked, w), Origin.NONE);
        int pool = b.add(new Pool2d(PoolKind.MAX, 2, 2, 2, 2, 0, 0), List.of(readByPool), Origin.NONE);
        int partial = b.add(conv, List.of(blocked, v), Origin.NONE);
        int normalized = b.add(conv, List.of(blocked, w), Origin.NONE);
        List<Integer> stats = List.of(
                b.param("gamma", TensorType.f32(Dim.of(16)), true, "ones", Origin.NONE),
                b.param("beta", TensorType.f32(Dim.of(16)), true, "zeros", Origin.NONE),
                b.param("mean", TensorType.f32(Dim.of(16)), false, "zeros", Origin.NONE),
                b.param("var", TensorType.f32(Dim.of(16)), false, "ones", Origin.NONE));
        int bn = b.add(new BatchNorm(1e-5, 0.1), List.of(normalized, stats.get(0), stats.get(1), stats.get(2),
                stats.get(3)), Origin.NONE);
        int flat = b.add(new Flatten(), List.of(bn), Origin.NONE);
        // A convolution's bias gradient (Conv2d.backwardBias) reads either layout; a dense layer's does not.
        int summed = b.add(conv, List.of(blocked, w), Origin.NONE);
        int biasGrad = b.add(new BiasGrad(1), List.of(summed), Origin.NONE);
        b.output("y", output);
        b.output("db", biasGrad);
        b.output("pool", pool);
        b.output("partial", partial);
        b.output("bn", flat);
        Graph g = b.build();
        Graph after = new LayoutAssignment().run(g);
        assertThat(after.layouts()).containsExactly(blocked, Layout.NCHW16C, summed, Layout.NCHW16C);
        // The batchnorm's input would do alone, but its result is read by a flatten.
        assertThat(new LayoutAssignment().explain(g)).containsExactly(
                "%" + output + " kept nchw: %" + output + " is an output of the program",
                "%" + readByPool + " kept nchw: %" + readByPool + " is read by %" + pool
                        + " maxpool2d, which reads nchw only",
                "%" + normalized + ", %" + bn + " kept nchw: %" + bn + " is read by %" + flat
                        + " flatten, which reads nchw only").inOrder();
        assertThat(after.layout(biasGrad)).isEqualTo(Layout.NCHW);
        assertThat(after.layout(x)).isEqualTo(Layout.NCHW);
        assertThat(after.layout(partial)).isEqualTo(Layout.NCHW);
        assertThat(after.withLayouts(Map.of())).isEqualTo(g);
    }

    @Test
    void elementwiseNodesShareTheLayoutOfTheirOperandsOrKeepThemAllInNchw() throws IrTypeException {
        var b = new GraphBuilder("Elementwise");
        TensorType map = TensorType.f32(Dim.BATCH, Dim.of(16), Dim.of(4), Dim.of(4));
        int x = b.input("x", map, Origin.NONE);
        int w = b.param("w", TensorType.f32(Dim.of(16), Dim.of(16), Dim.of(3), Dim.of(3)), true, "zeros", Origin.NONE);
        int bias = b.param("bias", TensorType.f32(Dim.of(16)), true, "zeros", Origin.NONE);
        Conv2d conv = new Conv2d(1, 1, 1, 1, 1, 1);
        int first = b.add(conv, List.of(x, w), Origin.NONE);
        int second = b.add(conv, List.of(first, w), Origin.NONE);
        int sum = b.add(new Binary(BinaryKind.ADD), List.of(first, second), Origin.NONE);
        int relu = b.add(new Activation(ActivationKind.RELU, 0), List.of(sum), Origin.NONE);
        int blocked = b.add(conv, List.of(relu, w), Origin.NONE);
        // A sum with the image: the input cannot be blocked, so neither can the convolution's result.
        int withImage = b.add(conv, List.of(x, w), Origin.NONE);
        int imageSum = b.add(new Binary(BinaryKind.ADD), List.of(withImage, x), Origin.NONE);
        // A chain with a per-channel operand reads it at the NCHW channel of each element.
        int biased = b.add(conv, List.of(x, w), Origin.NONE);
        Step add = new Step(new Binary(BinaryKind.ADD), List.of(Ref.input(0), Ref.input(1)));
        int chain = b.add(new FusedElementwise(List.of(add), List.of(1)), List.of(biased, bias), Origin.NONE);
        int bn = b.add(new BiasAdd(1), List.of(blocked, bias), Origin.NONE);
        b.output("sum", b.add(new GlobalAvgPool(), List.of(imageSum), Origin.NONE));
        b.output("chain", chain);
        b.output("bias", bn);
        Graph g = b.build();
        Graph after = new LayoutAssignment().run(g);
        assertThat(after.layouts().keySet()).containsExactly(first, second, sum, relu);
        assertThat(new LayoutAssignment().explain(g)).containsExactly(
                "%" + x + ", %" + withImage + ", %" + imageSum + " kept nchw: %" + x
                        + " is made by input, which writes nchw only",
                "%" + blocked + " kept nchw: %" + blocked + " is read by %" + bn + " bias_add, which reads nchw only",
                "%" + biased + " kept nchw: %" + biased + " is read by %" + chain + " fused, which reads nchw only")
                .inOrder();
    }

    @Test
    void aPooledBatchnormsInputAndResultEachHaveTheirOwnLayout() throws Exception {
        Graph before = beforeLayouts("pooled.dnn", POOLED);
        Graph after = new LayoutAssignment().run(before);
        // The second pooled result is flattened, so it stays NCHW, as does its gradient, a reshape;
        // the input of that batchnorm and its gradient are blocked all the same.
        assertThat(dump(after)).isEqualTo("""
                graph Pooled {
                  %0 = input "x" : f32[N,3,8,8]
                  %1 = input "label" : i32[N]
                  %2 = param "logits.conv2d1.weight" {init=glorot_uniform} : f32[16,3,3,3]
                  %3 = conv2d(%0, %2) {stride=[1,1], pad=[1,1,1,1]} : f32[N,16,8,8] nChw16c
                  %4 = param "logits.batchnorm1.weight" {init=ones} : f32[16]
                  %5 = param "logits.batchnorm1.bias" {init=zeros} : f32[16]
                  %6 = param "logits.batchnorm1.running_mean" {init=zeros, buffer} : f32[16]
                  %7 = param "logits.batchnorm1.running_var" {init=ones, buffer} : f32[16]
                  %10 = batchnorm_relu_maxpool2d(%3, %4, %5, %6, %7) {eps=1e-05, momentum=0.1, kernel=[2,2], stride=[2,2], pad=[0,0]} : f32[N,16,4,4] nChw16c
                  %11 = param "logits.conv2d2.weight" {init=glorot_uniform} : f32[32,16,3,3]
                  %12 = conv2d(%10, %11) {stride=[1,1], pad=[1,1,1,1]} : f32[N,32,4,4] nChw16c
                  %13 = param "logits.batchnorm2.weight" {init=ones} : f32[32]
                  %14 = param "logits.batchnorm2.bias" {init=zeros} : f32[32]
                  %15 = param "logits.batchnorm2.running_mean" {init=zeros, buffer} : f32[32]
                  %16 = param "logits.batchnorm2.running_var" {init=ones, buffer} : f32[32]
                  %19 = batchnorm_relu_maxpool2d(%12, %13, %14, %15, %16) {eps=1e-05, momentum=0.1, kernel=[2,2], stride=[2,2], pad=[0,0]} : f32[N,32,2,2]
                  %20 = flatten(%19) : f32[N,128]
                  %21 = param "logits.dense1.weight" {init=glorot_uniform} : f32[2,128]
                  %23 = param "logits.dense1.bias" {init=zeros} : f32[2]
                  %24 = dense(%20, %21, %23) {activation=identity} : f32[N,2]
                  %25 = softmax(%24) {axis=1} : f32[N,2]
                  %26 = cross_entropy(%24, %1) : f32[]
                  %27 = constant() {value=1} : f32[]
                  %28 = cross_entropy_grad(%24, %1, %27) : f32[N,2]
                  %29 = bias_grad(%28) {axis=-1} : f32[2]
                  %30 = matmul_grad_input(%28, %21) : f32[N,128]
                  %31 = matmul_grad_weight(%28, %20) : f32[2,128]
                  %32 = reshape(%30) {shape=[32,2,2]} : f32[N,32,2,2]
                  %35 = batchnorm_relu_maxpool2d_grad_input(%32, %12, %13, %14) {eps=1e-05, kernel=[2,2], stride=[2,2], pad=[0,0]} : f32[N,32,4,4] nChw16c
                  %36 = batchnorm_relu_maxpool2d_grad_gamma(%32, %12, %13, %14) {eps=1e-05, kernel=[2,2], stride=[2,2], pad=[0,0]} : f32[32]
                  %37 = batchnorm_relu_maxpool2d_grad_beta(%32, %12, %13, %14) {eps=1e-05, kernel=[2,2], stride=[2,2], pad=[0,0]} : f32[32]
                  %38 = conv2d_grad_input(%35, %11) {stride=[1,1], pad=[1,1,1,1], input=[4,4]} : f32[N,16,4,4] nChw16c
                  %39 = conv2d_grad_weight(%35, %10) {stride=[1,1], pad=[1,1,1,1], kernel=[3,3]} : f32[32,16,3,3]
                  %42 = batchnorm_relu_maxpool2d_grad_input(%38, %3, %4, %5) {eps=1e-05, kernel=[2,2], stride=[2,2], pad=[0,0]} : f32[N,16,8,8] nChw16c
                  %43 = batchnorm_relu_maxpool2d_grad_gamma(%38, %3, %4, %5) {eps=1e-05, kernel=[2,2], stride=[2,2], pad=[0,0]} : f32[16]
                  %44 = batchnorm_relu_maxpool2d_grad_beta(%38, %3, %4, %5) {eps=1e-05, kernel=[2,2], stride=[2,2], pad=[0,0]} : f32[16]
                  %45 = conv2d_grad_weight(%42, %0) {stride=[1,1], pad=[1,1,1,1], kernel=[3,3]} : f32[16,3,3,3]
                  return p=%25, loss=%26, grad:logits.conv2d1.weight=%45, grad:logits.batchnorm1.weight=%43, grad:logits.batchnorm1.bias=%44, grad:logits.conv2d2.weight=%39, grad:logits.batchnorm2.weight=%36, grad:logits.batchnorm2.bias=%37, grad:logits.dense1.weight=%31, grad:logits.dense1.bias=%29
                }
                """);
        assertThat(dump(before)).isEqualTo(dump(after).replace(" nChw16c", ""));
        assertThat(new LayoutAssignment().explain(before)).containsExactly(
                "%19 kept nchw: %19 is read by %20 flatten, which reads nchw only");
    }

    @Test
    void aResidualAddSharesTheLayoutOfItsOperands() throws Exception {
        Graph before = beforeLayouts("residual.dnn", RESIDUAL);
        Graph after = new LayoutAssignment().run(before);
        // The residual batchnorm's beta gradient is a bias_grad that its gradient call computes as dbeta.
        assertThat(dump(after)).isEqualTo("""
                graph Residual {
                  %0 = input "x" : f32[N,3,8,8]
                  %1 = input "label" : i32[N]
                  %2 = param "stem.conv2d1.weight" {init=glorot_uniform} : f32[16,3,3,3]
                  %3 = conv2d(%0, %2) {stride=[1,1], pad=[1,1,1,1]} : f32[N,16,8,8] nChw16c
                  %4 = param "stem.batchnorm1.weight" {init=ones} : f32[16]
                  %5 = param "stem.batchnorm1.bias" {init=zeros} : f32[16]
                  %6 = param "stem.batchnorm1.running_mean" {init=zeros, buffer} : f32[16]
                  %7 = param "stem.batchnorm1.running_var" {init=ones, buffer} : f32[16]
                  %9 = batchnorm_relu(%3, %4, %5, %6, %7) {eps=1e-05, momentum=0.1} : f32[N,16,8,8] nChw16c
                  %10 = param "branch.conv2d1.weight" {init=glorot_uniform} : f32[16,16,3,3]
                  %11 = conv2d(%9, %10) {stride=[1,1], pad=[1,1,1,1]} : f32[N,16,8,8] nChw16c
                  %12 = param "branch.batchnorm1.weight" {init=ones} : f32[16]
                  %13 = param "branch.batchnorm1.bias" {init=zeros} : f32[16]
                  %14 = param "branch.batchnorm1.running_mean" {init=zeros, buffer} : f32[16]
                  %15 = param "branch.batchnorm1.running_var" {init=ones, buffer} : f32[16]
                  %17 = batchnorm_relu(%11, %12, %13, %14, %15) {eps=1e-05, momentum=0.1} : f32[N,16,8,8] nChw16c
                  %18 = param "branch.conv2d2.weight" {init=glorot_uniform} : f32[16,16,3,3]
                  %19 = conv2d(%17, %18) {stride=[1,1], pad=[1,1,1,1]} : f32[N,16,8,8] nChw16c
                  %20 = param "branch.batchnorm2.weight" {init=ones} : f32[16]
                  %21 = param "branch.batchnorm2.bias" {init=zeros} : f32[16]
                  %22 = param "branch.batchnorm2.running_mean" {init=zeros, buffer} : f32[16]
                  %23 = param "branch.batchnorm2.running_var" {init=ones, buffer} : f32[16]
                  %25 = batchnorm_add(%19, %20, %21, %22, %23, %9) {eps=1e-05, momentum=0.1} : f32[N,16,8,8] nChw16c
                  %26 = global_avgpool(%25) : f32[N,16]
                  %27 = param "logits.dense1.weight" {init=glorot_uniform} : f32[2,16]
                  %29 = param "logits.dense1.bias" {init=zeros} : f32[2]
                  %30 = dense(%26, %27, %29) {activation=identity} : f32[N,2]
                  %31 = softmax(%30) {axis=1} : f32[N,2]
                  %32 = cross_entropy(%30, %1) : f32[]
                  %33 = constant() {value=1} : f32[]
                  %34 = cross_entropy_grad(%30, %1, %33) : f32[N,2]
                  %35 = bias_grad(%34) {axis=-1} : f32[2]
                  %36 = matmul_grad_input(%34, %27) : f32[N,16]
                  %37 = matmul_grad_weight(%34, %26) : f32[2,16]
                  %38 = global_avgpool_grad(%36) {input=[8,8]} : f32[N,16,8,8] nChw16c
                  %39 = batchnorm_grad_input(%38, %19, %20) {eps=1e-05} : f32[N,16,8,8] nChw16c
                  %40 = batchnorm_grad_gamma(%38, %19) {eps=1e-05} : f32[16]
                  %41 = bias_grad(%38) {axis=1} : f32[16]
                  %42 = conv2d_grad_input(%39, %18) {stride=[1,1], pad=[1,1,1,1], input=[8,8]} : f32[N,16,8,8] nChw16c
                  %43 = conv2d_grad_weight(%39, %17) {stride=[1,1], pad=[1,1,1,1], kernel=[3,3]} : f32[16,16,3,3]
                  %45 = batchnorm_relu_grad_input(%42, %11, %12, %17) {eps=1e-05} : f32[N,16,8,8] nChw16c
                  %46 = batchnorm_relu_grad_gamma(%42, %11, %17) {eps=1e-05} : f32[16]
                  %47 = batchnorm_relu_grad_beta(%42, %17) : f32[16]
                  %48 = conv2d_grad_input(%45, %10) {stride=[1,1], pad=[1,1,1,1], input=[8,8]} : f32[N,16,8,8] nChw16c
                  %49 = conv2d_grad_weight(%45, %9) {stride=[1,1], pad=[1,1,1,1], kernel=[3,3]} : f32[16,16,3,3]
                  %50 = add(%38, %48) : f32[N,16,8,8] nChw16c
                  %52 = batchnorm_relu_grad_input(%50, %3, %4, %9) {eps=1e-05} : f32[N,16,8,8] nChw16c
                  %53 = batchnorm_relu_grad_gamma(%50, %3, %9) {eps=1e-05} : f32[16]
                  %54 = batchnorm_relu_grad_beta(%50, %9) : f32[16]
                  %55 = conv2d_grad_weight(%52, %0) {stride=[1,1], pad=[1,1,1,1], kernel=[3,3]} : f32[16,3,3,3]
                  return p=%31, loss=%32, grad:stem.conv2d1.weight=%55, grad:stem.batchnorm1.weight=%53, grad:stem.batchnorm1.bias=%54, grad:branch.conv2d1.weight=%49, grad:branch.batchnorm1.weight=%46, grad:branch.batchnorm1.bias=%47, grad:branch.conv2d2.weight=%43, grad:branch.batchnorm2.weight=%40, grad:branch.batchnorm2.bias=%41, grad:logits.dense1.weight=%37, grad:logits.dense1.bias=%35
                }
                """);
        assertThat(dump(before)).isEqualTo(dump(after).replace(" nChw16c", ""));
        assertThat(new LayoutAssignment().explain(before)).isEmpty();
    }
}
