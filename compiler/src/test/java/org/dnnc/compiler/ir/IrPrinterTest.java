package org.dnnc.compiler.ir;

import static com.google.common.truth.Truth.assertThat;
import static org.dnnc.compiler.ir.Types.type;

import java.util.List;
import java.util.Map;
import org.dnnc.compiler.diag.Span;
import org.junit.jupiter.api.Test;

class IrPrinterTest {

    static Origin at(int line, String path) {
        return new Origin(new Span(0, 1, line, 1), path);
    }

    /** A one-layer classifier with a loss: two outputs, sources on most nodes. */
    static Graph mlp() throws IrTypeException {
        var b = new GraphBuilder("Mlp");
        int image = b.input("image", type("f32[N,784]"), at(3, ""));
        int label = b.input("label", type("i32[N]"), Origin.NONE);
        Origin dense = at(5, "logits.dense1");
        int w = b.param("logits.dense1.weight", type("f32[10,784]"), true, "he_normal", dense);
        int bias = b.param("logits.dense1.bias", type("f32[10]"), true, "zeros", dense);
        int mm = b.add(new MatMul(), List.of(image, w), dense);
        int biased = b.add(new BiasAdd(1), List.of(mm, bias), dense);
        int logits = b.add(new Activation(ActivationKind.RELU, 0), List.of(biased), at(6, "logits"));
        int probs = b.add(new Softmax(1), List.of(logits), at(8, "probs"));
        int loss = b.add(new CrossEntropy(), List.of(logits, label), Origin.NONE);
        b.output("probs", probs);
        b.output("loss", loss);
        return b.build();
    }

    @Test
    void printsNodesAttributesSourcesAndOutputs() throws IrTypeException {
        assertThat(IrPrinter.print(mlp())).isEqualTo("""
                graph Mlp {
                  %0 = input "image" : f32[N,784]                                         # 3
                  %1 = input "label" : i32[N]
                  %2 = param "logits.dense1.weight" {init=he_normal} : f32[10,784]        # 5 logits.dense1
                  %3 = param "logits.dense1.bias" {init=zeros} : f32[10]                  # 5 logits.dense1
                  %4 = matmul(%0, %2) : f32[N,10]                                         # 5 logits.dense1
                  %5 = bias_add(%4, %3) {axis=1} : f32[N,10]                              # 5 logits.dense1
                  %6 = relu(%5) : f32[N,10]                                               # 6 logits
                  %7 = softmax(%6) {axis=1} : f32[N,10]                                   # 8 probs
                  %8 = cross_entropy(%6, %1) : f32[]
                  return probs=%7, loss=%8
                }
                """);
    }

    @Test
    void printsTheBoundOfASequenceDimensionOnTheInputThatDeclaresIt() throws IrTypeException {
        var b = new GraphBuilder("Seq");
        Dim t = new Dim.Var("T", 200);
        int tokens = b.input("tokens", TensorType.of(DType.I32, Dim.BATCH, t), Origin.NONE);
        int table = b.param("embed.weight", type("f32[50,8]"), true, "normal", Origin.NONE);
        b.output("states", b.add(new Embedding(), List.of(tokens, table), Origin.NONE));
        assertThat(IrPrinter.print(b.build())).isEqualTo("""
                graph Seq {
                  %0 = input "tokens" {T<=200} : i32[N,T]
                  %1 = param "embed.weight" {init=normal} : f32[50,8]
                  %2 = embedding(%0, %1) : f32[N,T,8]
                  return states=%2
                }
                """);
    }

    @Test
    void printsBuffersListsAndNumbers() throws IrTypeException {
        var b = new GraphBuilder("Cnn");
        int x = b.input("x", type("f32[N,1,8,8]"), Origin.NONE);
        int k = b.param("conv.weight", type("f32[4,1,3,3]"), true, "he_normal", Origin.NONE);
        int conv = b.add(new Conv2d(1, 1, 1, 1, 1, 1), List.of(x, k), Origin.NONE);
        int gamma = b.param("bn.gamma", type("f32[4]"), true, "ones", Origin.NONE);
        int beta = b.param("bn.beta", type("f32[4]"), true, "zeros", Origin.NONE);
        int mean = b.param("bn.running_mean", type("f32[4]"), false, "zeros", Origin.NONE);
        int var = b.param("bn.running_var", type("f32[4]"), false, "ones", Origin.NONE);
        int bn = b.add(new BatchNorm(1e-5, 0.1), List.of(conv, gamma, beta, mean, var), Origin.NONE);
        int drop = b.add(new Dropout(0.5), List.of(bn), Origin.NONE);
        int pool = b.add(new Pool2d(PoolKind.MAX, 2, 2, 2, 2, 0, 0), List.of(drop), Origin.NONE);
        int flat = b.add(new Flatten(), List.of(pool), at(12, "head.a_rather_long_layer_path"));
        b.output("y", flat);

        assertThat(IrPrinter.print(b.build())).isEqualTo("""
                graph Cnn {
                  %0 = input "x" : f32[N,1,8,8]
                  %1 = param "conv.weight" {init=he_normal} : f32[4,1,3,3]
                  %2 = conv2d(%0, %1) {stride=[1,1], pad=[1,1,1,1]} : f32[N,4,8,8]
                  %3 = param "bn.gamma" {init=ones} : f32[4]
                  %4 = param "bn.beta" {init=zeros} : f32[4]
                  %5 = param "bn.running_mean" {init=zeros, buffer} : f32[4]
                  %6 = param "bn.running_var" {init=ones, buffer} : f32[4]
                  %7 = batchnorm(%2, %3, %4, %5, %6) {eps=1e-05, momentum=0.1} : f32[N,4,8,8]
                  %8 = dropout(%7) {rate=0.5} : f32[N,4,8,8]
                  %9 = maxpool2d(%8) {kernel=[2,2], stride=[2,2], pad=[0,0]} : f32[N,4,4,4]
                  %10 = flatten(%9) : f32[N,64]                                           # 12 head.a_rather_long_layer_path
                  return y=%10
                }
                """);
    }

    @Test
    void longLinesKeepASpaceBeforeTheComment() throws IrTypeException {
        var b = new GraphBuilder("Long");
        String name = "encoder.layers.0.attention.query_projection.weight";
        b.param(name, type("f32[512,512]"), true, "glorot_uniform", at(40, "encoder"));
        assertThat(IrPrinter.print(b.build())).contains(
                "  %0 = param \"" + name + "\" {init=glorot_uniform} : f32[512,512]  # 40 encoder\n");
    }

    @Test
    void quotesNamesAndPrintsAnEmptyReturn() {
        var b = new GraphBuilder("Odd");
        b.input("say \"hi\" \\", type("f32[N]"), Origin.NONE);
        assertThat(IrPrinter.print(b.build())).isEqualTo("""
                graph Odd {
                  %0 = input "say \\"hi\\" \\\\" : f32[N]
                  return
                }
                """);
    }

    @Test
    void isDeterministic() throws IrTypeException {
        Graph g = mlp();
        assertThat(IrPrinter.print(g)).isEqualTo(IrPrinter.print(g));
        assertThat(IrPrinter.print(mlp())).isEqualTo(IrPrinter.print(g));
    }

    @Test
    void printsABlockedLayoutAfterTheType() {
        var b = new GraphBuilder("Blocked");
        int x = b.input("x", type("f32[N,32,14,14]"), Origin.NONE);
        b.input("y", type("f32[N,32,14,14]"), Origin.NONE);
        assertThat(IrPrinter.print(b.build().withLayouts(Map.of(x, Layout.NCHW16C)))).isEqualTo("""
                graph Blocked {
                  %0 = input "x" : f32[N,32,14,14] nChw16c
                  %1 = input "y" : f32[N,32,14,14]
                  return
                }
                """);
    }
}
