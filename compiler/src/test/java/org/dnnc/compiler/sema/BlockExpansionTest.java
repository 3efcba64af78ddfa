package org.dnnc.compiler.sema;

import static com.google.common.truth.Truth.assertThat;

import java.util.List;
import org.dnnc.compiler.Compilation;
import org.dnnc.compiler.diag.Diagnostic;
import org.junit.jupiter.api.Test;

/**
 * Blocks are expanded at every call: each expansion creates its own parameters, named from the
 * value, the block call and the layer ({@code logits.features2.conv2d1.weight}); recursion is
 * rejected with a note for every expansion it went through.
 */
class BlockExpansionTest extends ShapeTestSupport {

    private static final String FASHION_CNN = """
            network FashionCnn {
                input image: float[1, 28, 28];
                input label: int;

                block features(x, channels: int) {
                    x -> conv2d(channels, kernel: 5, padding: same) -> batchnorm -> relu -> maxpool(2)
                }

                logits = image -> features(16) -> features(32) -> flatten
                               -> dense(128) -> relu -> dropout(0.5) -> dense(10);
                output probs = softmax(logits);

                train {
                    loss = cross_entropy(logits, label);
                }
            }
            """;

    @Test
    @Covers({"conv2d", "batchnorm", "relu", "maxpool", "flatten", "dense", "dropout", "softmax"})
    void everyCallOfABlockGetsItsOwnWeights() {
        NetworkModel m = compileClean(FASHION_CNN);
        // 28 -same conv-> 28 -pool-> 14 -same conv-> 14 -pool-> 7; 32 * 7 * 7 = 1568
        assertThat(type(m, "probs")).isEqualTo("f32[N,10]");
        assertThat(params(m)).containsExactly(
                "logits.features1.conv2d1.weight", "f32[16,1,5,5]",
                "logits.features1.conv2d1.bias", "f32[16]",
                "logits.features1.batchnorm1.weight", "f32[16]",
                "logits.features1.batchnorm1.bias", "f32[16]",
                "logits.features1.batchnorm1.running_mean", "f32[16]",
                "logits.features1.batchnorm1.running_var", "f32[16]",
                "logits.features2.conv2d1.weight", "f32[32,16,5,5]",
                "logits.features2.conv2d1.bias", "f32[32]",
                "logits.features2.batchnorm1.weight", "f32[32]",
                "logits.features2.batchnorm1.bias", "f32[32]",
                "logits.features2.batchnorm1.running_mean", "f32[32]",
                "logits.features2.batchnorm1.running_var", "f32[32]",
                "logits.dense1.weight", "f32[128,1568]",
                "logits.dense1.bias", "f32[128]",
                "logits.dense2.weight", "f32[10,128]",
                "logits.dense2.bias", "f32[10]").inOrder();
    }

    @Test
    @Covers("dense")
    void theSameCallTwiceDoesNotShareWeights() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[4];
                    block layer(x) { x -> dense(4) }
                    output y = x -> layer -> layer;
                }
                """);
        assertThat(params(m).keySet()).containsExactly(
                "y.layer1.dense1.weight", "y.layer1.dense1.bias", "y.layer2.dense1.weight", "y.layer2.dense1.bias").inOrder();
    }

    @Test
    @Covers({"dense", "relu"})
    void defaultsNamedArgumentsAndDefaultsFromEarlierParameters() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[4];
                    block mlp(x, n: int, hidden: int = n * 2) {
                        h = x -> dense(hidden) -> relu;
                        h -> dense(n)
                    }
                    output y = x -> mlp(3) -> mlp(5, hidden: 7) -> mlp(n: 1);
                }
                """);
        assertThat(type(m, "y")).isEqualTo("f32[N,1]");
        assertThat(params(m)).containsAtLeast(
                "y.mlp1.h.dense1.weight", "f32[6,4]",  // hidden = 3 * 2
                "y.mlp1.dense1.weight", "f32[3,6]",
                "y.mlp2.h.dense1.weight", "f32[7,3]",  // hidden given
                "y.mlp2.dense1.weight", "f32[5,7]",
                "y.mlp3.h.dense1.weight", "f32[2,5]",  // hidden = 1 * 2
                "y.mlp3.dense1.weight", "f32[1,2]").inOrder();
    }

    @Test
    @Covers("dense")
    void nestedBlocksNestTheirNames() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[4];
                    block inner(x, n: int) { x -> dense(n) }
                    block outer(x) {
                        a = x -> inner(3);
                        a -> inner(2)
                    }
                    output y = x -> outer;
                }
                """);
        assertThat(type(m, "y")).isEqualTo("f32[N,2]");
        assertThat(params(m)).containsExactly(
                "y.outer1.a.inner1.dense1.weight", "f32[3,4]",
                "y.outer1.a.inner1.dense1.bias", "f32[3]",
                "y.outer1.inner1.dense1.weight", "f32[2,3]",
                "y.outer1.inner1.dense1.bias", "f32[2]").inOrder();
    }

    @Test
    @Covers({"add", "mul"})
    void blocksWithSeveralTensorParameters() {
        NetworkModel m = compileOk("""
                network N {
                    input a: float[2, 3];
                    input b: float[2, 3];
                    block merge(p, q, scale: float = 1) { (p + q) * scale }
                    block gate(p, q) { mul(p, q) }
                    output s = a -> merge(b);
                    output t = merge(a, b, scale: 0.5);
                    output u = gate(a, b);
                }
                """);
        assertThat(type(m, "s")).isEqualTo("f32[N,2,3]");
        assertThat(type(m, "t")).isEqualTo("f32[N,2,3]");
        assertThat(type(m, "u")).isEqualTo("f32[N,2,3]");
    }

    @Test
    @Covers({"conv2d", "batchnorm", "relu", "add", "global_avgpool", "dense"})
    void residualNetworkWithAProjectionShortcut() {
        NetworkModel m = compileOk("""
                network FashionResnet {
                    input image: float[1, 28, 28];
                    block conv_bn(x, c: int, stride: int = 1) {
                        x -> conv2d(c, 3, stride: stride, padding: same, bias: false) -> batchnorm
                    }
                    block residual(x, c: int) {
                        y = x -> conv_bn(c) -> relu -> conv_bn(c);
                        relu(x + y)
                    }
                    block residual_down(x, c: int) {
                        y = x -> conv_bn(c, stride: 2) -> relu -> conv_bn(c);
                        shortcut = x -> conv2d(c, 1, stride: 2, bias: false) -> batchnorm;
                        relu(shortcut + y)
                    }
                    features = image -> conv_bn(16) -> relu -> residual(16) -> residual_down(32) -> residual(32);
                    output logits = features -> global_avgpool -> dense(10);
                }
                """);
        // 28 stays 28 through the stem and the first block; stride 2 gives ceil(28 / 2) = 14, and the
        // 1x1 shortcut floor((28 - 1) / 2) + 1 = 14 as well.
        assertThat(type(m, "logits")).isEqualTo("f32[N,10]");
        assertThat(params(m)).containsEntry("features.conv_bn1.conv2d1.weight", "f32[16,1,3,3]");
        assertThat(params(m)).containsEntry("features.residual1.y.conv_bn1.conv2d1.weight", "f32[16,16,3,3]");
        assertThat(params(m)).containsEntry("features.residual_down1.y.conv_bn1.conv2d1.weight", "f32[32,16,3,3]");
        assertThat(params(m)).containsEntry("features.residual_down1.shortcut.conv2d1.weight", "f32[32,16,1,1]");
        assertThat(params(m)).containsEntry("features.residual_down1.shortcut.batchnorm1.running_var", "f32[32]");
        assertThat(params(m)).containsEntry("features.residual2.y.conv_bn2.batchnorm1.weight", "f32[32]");
        assertThat(params(m)).containsEntry("logits.dense1.weight", "f32[10,32]");
        assertThat(params(m).keySet().stream().noneMatch(k -> k.contains("conv2d1.bias"))).isTrue();
    }

    // ---- errors --------------------------------------------------------------------------------

    @Test
    void aBlockCallingItself() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[4];
                    block a(x) { x -> dense(4) -> a }
                    output y = x -> a;
                }
                """, "block `a` is recursive: a -> a", 3, 35);
        assertThat(notes(d)).containsExactly("4:21 in block `a`, expanded here");
    }

    @Test
    void aBlockCallingItselfThroughTwoOthers() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[4];
                    block a(x) { x -> b }
                    block b(x) { x -> c }
                    block c(x) { x -> a }
                    output y = x -> a;
                }
                """, "block `a` is recursive: a -> b -> c -> a", 5, 23);
        // Innermost expansion first.
        assertThat(notes(d)).containsExactly(
                "4:23 in block `c`, expanded here",
                "3:23 in block `b`, expanded here",
                "6:21 in block `a`, expanded here").inOrder();
    }

    @Test
    void recursionEnteredHalfWay() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[4];
                    block a(x) { x -> b }
                    block b(x) { x -> b(x) }
                    output y = x -> a;
                }
                """, "block `b` is recursive: b -> b", 4, 23);
        assertThat(notes(d)).containsExactly("3:23 in block `b`, expanded here", "5:21 in block `a`, expanded here").inOrder();
    }

    /** A default is evaluated before the block is entered; calling the block from it used to recurse until memory ran out. */
    @Test
    void aParameterDefaultCallingItsOwnBlock() {
        assertError("""
                network N {
                    input x: float[4];
                    block f(x, y = x -> f) { y }
                    output z = x -> f;
                }
                """, "block `f` is recursive: a default value of its parameters calls it", 3, 25);
    }

    @Test
    void aParameterDefaultCallingItsOwnBlockThroughAnother() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[4];
                    block f(x, y = x -> g) { y }
                    block g(x) { x -> f }
                    output z = x -> f;
                }
                """, "block `f` is recursive: a default value of its parameters calls it", 4, 23);
        assertThat(notes(d)).containsExactly("3:25 in block `g`, expanded here");
    }

    @Test
    @Covers("add")
    void aBlockCallAsAnArgumentOfTheSameBlockIsNotRecursion() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[4];
                    block merge(a, b) { a + b }
                    output z = x -> merge(merge(x, x));
                }
                """);
        assertThat(type(m, "z")).isEqualTo("f32[N,4]");
        assertThat(ops(m)).containsExactly("add", "add");
    }

    @Test
    void anErrorInsideABlockPointsAtTheCall() {
        Diagnostic d = assertError("""
                network N {
                    input v: float[784];
                    block features(x) { x -> conv2d(8, 3) }
                    output y = v -> features;
                }
                """, "`conv2d` needs images of shape [channels, height, width] per example, got [784] (f32[N,784]) "
                + "from input `v`", 3, 30);
        assertThat(notes(d)).containsExactly(
                "2:11 this f32[N,784] comes from input `v`",
                "4:21 in block `features`, expanded here").inOrder();
    }

    @Test
    void aBlockSeesOnlyItsParameters() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[4];
                    input z: float[4];
                    block f(x) { x + z }
                    output y = x -> f;
                }
                """, "unknown name `z` in block `f`", 4, 22);
        assertThat(d.hints()).containsExactly("a block sees only its parameters and its own values; pass `z` as an argument");
    }

    @Test
    void aBlockParameterOfTheWrongType() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[4];
                    block f(x, n: int) { x -> dense(n) }
                    output y = x -> f(2.5);
                }
                """, "parameter `n` of block `f` must be of type `int`, got a number (2.5)", 4, 21);
        assertThat(notes(d)).containsExactly("3:16 declared here");
    }

    @Test
    void aMissingBlockParameter() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[4];
                    block f(x, n: int) { x -> dense(n) }
                    output y = x -> f;
                }
                """, "block `f` needs parameter `n`", 4, 21);
        assertThat(notes(d)).containsExactly("3:16 `n` is declared here");
    }

    @Test
    void aBlockNamedLikeALayer() {
        assertError("""
                network N {
                    input x: float[4];
                    block dense(x) { x }
                    output y = x -> relu;
                }
                """, "block `dense` has the name of the built-in layer `dense`; choose another name", 3, 11);
    }

    @Test
    void anUnusedBlockWarns() {
        Compilation c = compile("""
                network N {
                    input x: float[4];
                    block f(x) { x -> relu }
                    output y = x -> relu;
                }
                """);
        assertThat(errors(c)).isEmpty();
        List<Diagnostic> w = warnings(c);
        assertThat(w).hasSize(1);
        assertAt(w.get(0), "block `f` is never used", 3, 11);
    }
}
