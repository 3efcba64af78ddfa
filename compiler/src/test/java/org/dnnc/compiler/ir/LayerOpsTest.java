package org.dnnc.compiler.ir;

import static org.dnnc.compiler.ir.OpCase.accepts;
import static org.dnnc.compiler.ir.OpCase.rejects;

import java.util.List;
import java.util.stream.Stream;

/** Typing of dense, convolution, pooling and reshaping ops. */
class LayerOpsTest extends OpTypingContract {

    static Stream<OpCase> accepted() {
        return Stream.of(
                accepts(new MatMul(), "f32[N,256]", "f32[N,784]", "f32[256,784]"),
                accepts(new MatMul(), "f32[N,T,32]", "f32[N,T,64]", "f32[32,64]"),
                accepts(new BiasAdd(1), "f32[N,256]", "f32[N,256]", "f32[256]"),
                accepts(new BiasAdd(-1), "f32[N,T,64]", "f32[N,T,64]", "f32[64]"),
                accepts(new BiasAdd(1), "f32[N,16,28,28]", "f32[N,16,28,28]", "f32[16]"),
                accepts(new Conv2d(1, 1, 2, 2, 2, 2), "f32[N,16,28,28]", "f32[N,1,28,28]", "f32[16,1,5,5]"),
                // (32 + 0 + 1 - 3) / 2 + 1 = 16: asymmetric padding, as "same" with stride 2 needs.
                accepts(new Conv2d(2, 2, 0, 0, 1, 1), "f32[N,8,16,16]", "f32[N,3,32,32]", "f32[8,3,3,3]"),
                accepts(new Pool2d(PoolKind.MAX, 2, 2, 2, 2, 0, 0), "f32[N,16,14,14]", "f32[N,16,28,28]"),
                // (7 + 2 - 3) / 2 + 1 = 4.
                accepts(new Pool2d(PoolKind.AVG, 3, 3, 2, 2, 1, 1), "f32[N,8,4,4]", "f32[N,8,7,7]"),
                // Rounds down: (7 - 2) / 2 + 1 = 3.
                accepts(new Pool2d(PoolKind.MAX, 2, 2, 2, 2, 0, 0), "f32[N,8,3,3]", "f32[N,8,7,7]"),
                accepts(new GlobalAvgPool(), "f32[N,64]", "f32[N,64,7,7]"),
                accepts(new Flatten(), "f32[N,784]", "f32[N,16,7,7]"),
                accepts(new Flatten(), "f32[N,10]", "f32[N,10]"),
                accepts(new Reshape(List.of(Dim.of(16), Dim.of(7), Dim.of(7))), "f32[N,16,7,7]", "f32[N,784]"));
    }

    static Stream<OpCase> rejected() {
        return Stream.of(
                rejects(new MatMul(), "matmul: input has 100 features but the weight expects 784 (f32[N,100] x f32[256,784])",
                        "f32[N,100]", "f32[256,784]"),
                rejects(new MatMul(), "matmul: input must be f32, got i32[N,784]", "i32[N,784]", "f32[256,784]"),
                rejects(new MatMul(), "matmul: weight must have fixed sizes only, got f32[N,784]", "f32[N,784]", "f32[N,784]"),
                rejects(new MatMul(), "matmul: weight must have rank 2 [M,K], got f32[784]", "f32[N,784]", "f32[784]"),
                rejects(new MatMul(), "matmul: expects 2 operands, got 1", "f32[N,784]"),
                rejects(new BiasAdd(1), "bias_add: bias has 10 elements but axis 1 of the input has 256 (f32[N,256] + f32[10])",
                        "f32[N,256]", "f32[10]"),
                rejects(new BiasAdd(2), "bias_add: axis 2 is out of range for f32[N,256] (rank 2)", "f32[N,256]", "f32[256]"),
                rejects(new BiasAdd(1), "bias_add: bias must have rank 1 [C], got f32[1,256]", "f32[N,256]", "f32[1,256]"),
                rejects(new Conv2d(1, 1, 0, 0, 0, 0), "conv2d: output height would be -2 (input 2, kernel 5, stride 1, padding 0+0)",
                        "f32[N,1,2,2]", "f32[16,1,5,5]"),
                rejects(new Conv2d(1, 3, 0, 0, 0, 0), "conv2d: output width would be 0 (input 2, kernel 3, stride 3, padding 0+0)",
                        "f32[N,1,8,2]", "f32[4,1,3,3]"),
                rejects(new Conv2d(1, 1, 2, 2, 2, 2),
                        "conv2d: input has 3 channels but the kernel expects 1 (f32[N,3,28,28] * f32[16,1,5,5])",
                        "f32[N,3,28,28]", "f32[16,1,5,5]"),
                rejects(new Conv2d(1, 1, 0, 0, 0, 0), "conv2d: input must have rank 4 [N,C,H,W], got f32[N,784]",
                        "f32[N,784]", "f32[16,1,5,5]"),
                rejects(new Conv2d(0, 1, 0, 0, 0, 0), "conv2d: strides must be positive, got 0x1",
                        "f32[N,1,28,28]", "f32[16,1,5,5]"),
                rejects(new Conv2d(1, 1, 0, -1, 0, 0), "conv2d: padding must not be negative, got [0,-1,0,0]",
                        "f32[N,1,28,28]", "f32[16,1,5,5]"),
                rejects(new Pool2d(PoolKind.MAX, 3, 3, 1, 1, 2, 2),
                        "maxpool2d: padding must be between 0 and half the kernel, got padding 2x2 for kernel 3x3",
                        "f32[N,8,28,28]"),
                rejects(new Pool2d(PoolKind.AVG, 4, 4, 4, 4, 0, 0),
                        "avgpool2d: output height would be 0 (input 3, kernel 4, stride 4, padding 0+0)", "f32[N,8,3,3]"),
                rejects(new Pool2d(PoolKind.MAX, 2, 2, 2, 2, 0, 0),
                        "maxpool2d: input height must be a fixed size, got T (f32[N,1,T,28])", "f32[N,1,T,28]"),
                rejects(new Pool2d(PoolKind.MAX, 0, 2, 2, 2, 0, 0), "maxpool2d: kernel sizes must be positive, got 0x2",
                        "f32[N,1,28,28]"),
                rejects(new GlobalAvgPool(), "global_avgpool: input must have rank 4 [N,C,H,W], got f32[N,64]", "f32[N,64]"),
                rejects(new Flatten(), "flatten: dimension 1 of the input must be a fixed size, got T (f32[N,T,64])",
                        "f32[N,T,64]"),
                rejects(new Flatten(), "flatten: input must start with the batch dimension N, got f32[16,7,7]", "f32[16,7,7]"),
                rejects(new Reshape(List.of(Dim.of(10), Dim.of(10))),
                        "reshape: cannot reshape 784 elements per example into 100 (f32[N,784] to f32[N,10,10])", "f32[N,784]"),
                rejects(new Reshape(List.of(Dim.BATCH, Dim.of(784))),
                        "reshape: target dimension 0 must be a fixed size, got N (f32[N,N,784])", "f32[N,784]"),
                rejects(new Reshape(List.of(Dim.of(0), Dim.of(784))),
                        "reshape: dimension 1 of f32[N,0,784] is 0; sizes must be positive", "f32[N,784]"));
    }
}
