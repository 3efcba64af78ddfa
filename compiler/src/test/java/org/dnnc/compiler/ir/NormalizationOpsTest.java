package org.dnnc.compiler.ir;

import static org.dnnc.compiler.ir.OpCase.accepts;
import static org.dnnc.compiler.ir.OpCase.rejects;

import java.util.stream.Stream;

/** Typing of batch and layer normalization. */
class NormalizationOpsTest extends OpTypingContract {

    private static final BatchNorm BN = new BatchNorm(1e-5, 0.1);

    static Stream<OpCase> accepted() {
        return Stream.of(
                accepts(BN, "f32[N,16,28,28]", "f32[N,16,28,28]", "f32[16]", "f32[16]", "f32[16]", "f32[16]"),
                accepts(BN, "f32[N,256]", "f32[N,256]", "f32[256]", "f32[256]", "f32[256]", "f32[256]"),
                accepts(BN, "f32[N,16,50]", "f32[N,16,50]", "f32[16]", "f32[16]", "f32[16]", "f32[16]"),
                accepts(new LayerNorm(1e-5), "f32[N,T,64]", "f32[N,T,64]", "f32[64]", "f32[64]"));
    }

    static Stream<OpCase> rejected() {
        return Stream.of(
                rejects(BN, "batchnorm: running_var should be f32[16], got f32[32]",
                        "f32[N,16,28,28]", "f32[16]", "f32[16]", "f32[16]", "f32[32]"),
                rejects(BN, "batchnorm: gamma should be f32[16], got i32[16]",
                        "f32[N,16,28,28]", "i32[16]", "f32[16]", "f32[16]", "f32[16]"),
                rejects(BN, "batchnorm: input must have rank 2 [N,C], 3 [N,C,L] or 4 [N,C,H,W], got f32[N,16,2,2,2]",
                        "f32[N,16,2,2,2]", "f32[16]", "f32[16]", "f32[16]", "f32[16]"),
                rejects(new BatchNorm(0, 0.1), "batchnorm: eps must be positive, got 0.0",
                        "f32[N,16]", "f32[16]", "f32[16]", "f32[16]", "f32[16]"),
                rejects(new BatchNorm(1e-5, 2), "batchnorm: momentum must be between 0 and 1, got 2.0",
                        "f32[N,16]", "f32[16]", "f32[16]", "f32[16]", "f32[16]"),
                rejects(new LayerNorm(1e-5), "layernorm: beta should be f32[64], got f32[32]", "f32[N,T,64]", "f32[64]", "f32[32]"),
                rejects(new LayerNorm(1e-5), "layernorm: the last dimension must be a fixed size, got T (f32[N,T])",
                        "f32[N,T]", "f32[64]", "f32[64]"),
                rejects(new LayerNorm(Double.NaN), "layernorm: eps must be positive, got NaN", "f32[N,64]", "f32[64]", "f32[64]"),
                // Over the last axis of f32[N] each "example" would be normalized with the others.
                rejects(new LayerNorm(1e-5), "layernorm: needs features per example, got f32[N]", "f32[N]", "f32[1]", "f32[1]"),
                rejects(new LayerNorm(1e-5), "layernorm: needs features per example, got f32[64]", "f32[64]", "f32[64]", "f32[64]"),
                rejects(new LayerNorm(1e-5), "layernorm: input must start with the batch dimension N, got f32[8,64]",
                        "f32[8,64]", "f32[64]", "f32[64]"));
    }
}
