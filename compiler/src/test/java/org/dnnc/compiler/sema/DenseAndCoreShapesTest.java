package org.dnnc.compiler.sema;

import static com.google.common.truth.Truth.assertThat;

import java.util.Map;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.ir.Concat;
import org.junit.jupiter.api.Test;

/** Dense layers, shape plumbing (flatten, reshape, repeat, concat), embedding, dropout and arithmetic. */
class DenseAndCoreShapesTest extends ShapeTestSupport {

    @Test
    @Covers("dense")
    void denseMapsFeaturesToUnitsWithPyTorchWeightLayout() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[784];
                    output y = x -> dense(256);
                }
                """);
        assertThat(type(m, "y")).isEqualTo("f32[N,256]");
        // weight [out, in], bias [out]
        assertThat(params(m)).containsExactly(
                "y.dense1.weight", "f32[256,784]",
                "y.dense1.bias", "f32[256]").inOrder();
        assertThat(inits(m)).containsExactly("y.dense1.weight", "glorot_uniform", "y.dense1.bias", "zeros").inOrder();
        assertThat(buffers(m)).isEmpty();
    }

    @Test
    @Covers("dense")
    void denseWithoutBiasAndWithItsOwnInitializer() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[12];
                    output y = x -> dense(3, bias: false, init: he_normal);
                }
                """);
        assertThat(type(m, "y")).isEqualTo("f32[N,3]");
        assertThat(params(m)).containsExactly("y.dense1.weight", "f32[3,12]");
        assertThat(inits(m)).containsExactly("y.dense1.weight", "he_normal");
        assertThat(ops(m)).containsExactly("matmul");
    }

    @Test
    @Covers("dense")
    void denseOnASequenceTransformsEveryStep() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[T <= 50, 32];
                    output y = x -> dense(8);
                }
                """);
        assertThat(type(m, "y")).isEqualTo("f32[N,T,8]");
        assertThat(params(m)).containsEntry("y.dense1.weight", "f32[8,32]");
    }

    @Test
    @Covers({"dense", "flatten", "relu"})
    void multilayerPerceptron() {
        NetworkModel m = compileOk("""
                network N {
                    input image: float[1, 28, 28];
                    output logits = image -> flatten -> dense(256) -> relu -> dense(128) -> relu -> dense(10);
                }
                """);
        assertThat(type(m, "logits")).isEqualTo("f32[N,10]");
        // 1*28*28 = 784 -> 256 -> 128 -> 10
        assertThat(params(m)).containsExactly(
                "logits.dense1.weight", "f32[256,784]", "logits.dense1.bias", "f32[256]",
                "logits.dense2.weight", "f32[128,256]", "logits.dense2.bias", "f32[128]",
                "logits.dense3.weight", "f32[10,128]", "logits.dense3.bias", "f32[10]").inOrder();
    }

    @Test
    @Covers("flatten")
    void flattenMultipliesThePerExampleDimensions() {
        NetworkModel m = compileOk("""
                network N {
                    input a: float[3, 4, 5];
                    input b: float[7];
                    input c: float[2, 9];
                    output fa = a -> flatten;
                    output fb = b -> flatten;
                    output fc = c -> flatten;
                }
                """);
        assertThat(type(m, "fa")).isEqualTo("f32[N,60]"); // 3*4*5
        assertThat(type(m, "fb")).isEqualTo("f32[N,7]");
        assertThat(type(m, "fc")).isEqualTo("f32[N,18]");
        assertThat(params(m)).isEmpty();
    }

    @Test
    @Covers("reshape")
    void reshapeKeepsTheElementCount() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[784];
                    output image = x -> reshape([1, 28, 28]);
                    output rows = x -> reshape([28, 28]);
                    output same = x -> reshape([784]);
                }
                """);
        assertThat(type(m, "image")).isEqualTo("f32[N,1,28,28]");
        assertThat(type(m, "rows")).isEqualTo("f32[N,28,28]");
        assertThat(type(m, "same")).isEqualTo("f32[N,784]");
    }

    @Test
    @Covers("dropout")
    void dropoutKeepsTheShapeAndHasNoParameters() {
        NetworkModel m = compileOk("""
                network N {
                    input image: float[3, 8, 8];
                    input seq: float[T <= 10, 4];
                    output a = image -> dropout(0.5);
                    output b = seq -> dropout(rate: 0);
                }
                """);
        assertThat(type(m, "a")).isEqualTo("f32[N,3,8,8]");
        assertThat(type(m, "b")).isEqualTo("f32[N,T,4]");
        assertThat(params(m)).isEmpty();
    }

    @Test
    @Covers("repeat")
    void repeatTurnsAVectorIntoASequence() {
        NetworkModel m = compileOk("""
                network N {
                    input code: float[16];
                    output steps = code -> repeat(10);
                }
                """);
        assertThat(type(m, "steps")).isEqualTo("f32[N,10,16]");
    }

    @Test
    @Covers("embedding")
    void embeddingAddsAFeatureAxisToIds() {
        NetworkModel m = compileOk("""
                network N {
                    input tokens: int[T <= 200];
                    input fixed: int[12];
                    input one: int;
                    output a = tokens -> embedding(vocab: 20000, dim: 64);
                    output b = fixed -> embedding(100, 8);
                    output c = one -> embedding(100, 8, init: zeros);
                }
                """);
        assertThat(type(m, "a")).isEqualTo("f32[N,T,64]");
        assertThat(type(m, "b")).isEqualTo("f32[N,12,8]");
        assertThat(type(m, "c")).isEqualTo("f32[N,8]");
        // The table is [vocab, dim], as in PyTorch.
        assertThat(params(m)).containsExactly(
                "a.embedding1.weight", "f32[20000,64]",
                "b.embedding1.weight", "f32[100,8]",
                "c.embedding1.weight", "f32[100,8]").inOrder();
        assertThat(inits(m)).containsEntry("a.embedding1.weight", "normal(std: 0.05)");
        assertThat(inits(m)).containsEntry("c.embedding1.weight", "zeros");
    }

    @Test
    @Covers({"add", "mul"})
    void elementwiseLayersAndOperatorsKeepTheShape() {
        NetworkModel m = compileOk("""
                network N {
                    input a: float[4, 6, 6];
                    input b: float[4, 6, 6];
                    output s1 = add(a, b);
                    output s2 = a -> add(b);
                    output s3 = a + b;
                    output p1 = mul(a, b);
                    output p2 = a * b;
                    output d = a - b;
                    output half = a * 0.5;
                    output third = b / 3;
                    output neg = -a;
                }
                """);
        for (String out : new String[] {"s1", "s2", "s3", "p1", "p2", "d", "half", "third", "neg"}) {
            assertThat(type(m, out)).isEqualTo("f32[N,4,6,6]");
        }
        assertThat(ops(m)).containsExactly("add", "add", "add", "mul", "mul", "sub", "scale", "scale", "scale").inOrder();
        assertThat(params(m)).isEmpty();
    }

    @Test
    @Covers("concat")
    void concatJoinsChannelsOfImagesAndFeaturesOfVectorsAndSequences() {
        NetworkModel m = compileOk("""
                network N {
                    input a: float[2, 5, 5];
                    input b: float[3, 5, 5];
                    input u: float[4];
                    input v: float[6];
                    input s: float[T <= 9, 4];
                    input t: float[T <= 9, 6];
                    output images = concat(a, b);
                    output three = a -> concat(b, a);
                    output vectors = concat(u, v);
                    output sequences = s -> concat(t);
                }
                """);
        assertThat(type(m, "images")).isEqualTo("f32[N,5,5,5]");   // channels 2 + 3
        assertThat(type(m, "three")).isEqualTo("f32[N,7,5,5]");    // 2 + 3 + 2
        assertThat(type(m, "vectors")).isEqualTo("f32[N,10]");     // 4 + 6
        assertThat(type(m, "sequences")).isEqualTo("f32[N,T,10]"); // features, not time
        assertThat(((Concat) op(m, "images")).axis()).isEqualTo(1);
        assertThat(((Concat) op(m, "sequences")).axis()).isEqualTo(2);
    }

    @Test
    @Covers("concat")
    void concatAlongAnExplicitPerExampleAxis() {
        NetworkModel m = compileOk("""
                network N {
                    input a: float[2, 5, 5];
                    input s: float[3, 4];
                    output wide = concat(a, a, axis: -1);
                    output tall = concat(a, a, axis: 1);
                    output longer = concat(s, s, axis: 0);
                }
                """);
        assertThat(type(m, "wide")).isEqualTo("f32[N,2,5,10]");
        assertThat(type(m, "tall")).isEqualTo("f32[N,2,10,5]");
        assertThat(type(m, "longer")).isEqualTo("f32[N,6,4]");
    }

    // ---- errors --------------------------------------------------------------------------------

    @Test
    void denseAfterConvolutionWithoutFlatten() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[1, 28, 28];
                    output y = x -> conv2d(8, 3) -> dense(10);
                }
                """,
                // conv2d: 28 - 3 + 1 = 26
                "`dense` needs a vector of features per example, but this value has shape [8,26,26] (f32[N,8,26,26]) "
                        + "from `conv2d`", 3, 37);
        assertThat(d.hints()).containsExactly("insert `flatten` before `dense`: `... -> flatten -> dense(10)`");
        assertThat(notes(d)).containsExactly("3:21 this f32[N,8,26,26] comes from `conv2d`");
    }

    @Test
    void denseOnAScalar() {
        Diagnostic d = assertError("""
                network N {
                    input x: float;
                    output y = x -> dense(3);
                }
                """, "`dense` needs a vector of features per example, got a scalar f32[N] from input `x`", 3, 21);
        assertThat(notes(d)).containsExactly("2:11 this f32[N] comes from input `x`");
    }

    @Test
    void denseOnIntegers() {
        Diagnostic d = assertError("""
                network N {
                    input ids: int[5];
                    output y = ids -> dense(3);
                }
                """, "`dense` needs features of floats, got i32[N,5] from input `ids`", 3, 23);
        assertThat(d.hints()).containsExactly("integer inputs are class labels or token ids; use `embedding` for ids");
    }

    @Test
    void denseWithZeroUnits() {
        assertError("""
                network N {
                    input x: float[4];
                    output y = x -> dense(0);
                }
                """, "argument `units` of `dense` must be a positive integer, got an integer (0)", 3, 27);
    }

    @Test
    void reshapeThatChangesTheElementCount() {
        assertError("""
                network N {
                    input x: float[2, 5];
                    output y = x -> reshape([3, 3]);
                }
                """, "`reshape`: cannot reshape 10 elements per example into 9 (f32[N,2,5] to f32[N,3,3])", 3, 21);
    }

    @Test
    void addOfMismatchedShapesNamesBothShapesAndTheirLayers() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[1, 28, 28];
                    a = x -> conv2d(8, 3);
                    b = x -> conv2d(8, 5);
                    output y = a + b;
                }
                """,
                // 28 - 3 + 1 = 26; 28 - 5 + 1 = 24
                "shapes differ in `+`: f32[N,8,26,26] from `conv2d` vs f32[N,8,24,24] from `conv2d`", 5, 16);
        assertThat(notes(d)).containsExactly(
                "3:14 this f32[N,8,26,26] comes from `conv2d`",
                "4:14 this f32[N,8,24,24] comes from `conv2d`").inOrder();
        assertThat(d.hints()).hasSize(1);
    }

    @Test
    void addLayerOfMismatchedShapes() {
        Diagnostic d = assertError("""
                network N {
                    input a: float[4];
                    input b: float[5];
                    output y = a -> add(b);
                }
                """, "shapes differ in `+`: f32[N,4] from input `a` vs f32[N,5] from input `b`", 4, 21);
        assertThat(notes(d)).containsExactly("2:11 this f32[N,4] comes from input `a`", "3:11 this f32[N,5] comes from input `b`")
                .inOrder();
    }

    @Test
    void subtractionOfMismatchedShapes() {
        Diagnostic d = assertError("""
                network N {
                    input a: float[4];
                    output y = a - (a -> dense(3));
                }
                """, "shapes differ in `-`: f32[N,4] from input `a` vs f32[N,3] from `dense`", 3, 16);
        assertThat(notes(d)).containsExactly("2:11 this f32[N,4] comes from input `a`", "3:26 this f32[N,3] comes from `dense`")
                .inOrder();
    }

    @Test
    void concatOfMismatchedImages() {
        Diagnostic d = assertError("""
                network N {
                    input a: float[2, 5, 5];
                    input b: float[3, 4, 4];
                    output y = concat(a, b);
                }
                """, "`concat` along axis 0 needs the other axes to agree, but f32[N,2,5,5] from input `a` and f32[N,3,4,4] from input `b` differ in axis 1", 4, 16);
        assertThat(notes(d)).hasSize(2);
    }

    @Test
    void repeatOfASequence() {
        assertError("""
                network N {
                    input x: float[2, 5];
                    output y = x -> repeat(3);
                }
                """, "`repeat`: input must have rank 2 [N,F], got f32[N,2,5]", 3, 21);
    }

    @Test
    void embeddingOfFloats() {
        Diagnostic d = assertError("""
                network N {
                    input x: float[5];
                    output y = x -> embedding(10, 3);
                }
                """, "`embedding` looks up integer ids, got f32[N,5] from input `x`", 3, 21);
        assertThat(d.hints()).containsExactly("declare the input with `int`, e.g. `input tokens: int[T <= 100];`");
    }

    @Test
    void flattenOfAVariableLengthSequence() {
        assertError("""
                network N {
                    input x: float[T <= 9, 4];
                    output y = x -> flatten;
                }
                """, "`flatten`: dimension 1 of the input must be a fixed size, got T (f32[N,T,4])", 3, 21);
    }

    @Test
    void sharedLayerAppliedToAnotherShape() {
        Diagnostic d = assertError("""
                network N {
                    input a: float[4];
                    input b: float[5];
                    enc = dense(3);
                    output y = a -> enc;
                    output z = b -> enc;
                }
                """, "shared layer `enc.dense1` was first applied where its weight is f32[3,4], but here it would need "
                + "f32[3,5] (inputs: f32[N,5])", 6, 21);
        assertThat(notes(d)).containsExactly("3:11 this f32[N,5] comes from input `b`");
    }

    @Test
    @Covers("dense")
    void aNamedLayerAppliedTwiceSharesItsWeights() {
        NetworkModel m = compileOk("""
                network N {
                    input a: float[4];
                    input b: float[4];
                    enc = dense(3);
                    output y = a -> enc;
                    output z = enc(b);
                }
                """);
        assertThat(type(m, "y")).isEqualTo("f32[N,3]");
        assertThat(type(m, "z")).isEqualTo("f32[N,3]");
        assertThat(params(m)).containsExactly("enc.dense1.weight", "f32[3,4]", "enc.dense1.bias", "f32[3]").inOrder();
        assertThat(ops(m)).containsExactly("matmul", "bias_add", "matmul", "bias_add").inOrder();
    }

    /** Parameter names stay unique however values are named: they are what checkpoints are keyed by. */
    @Test
    void parameterNamesAreUnique() {
        NetworkModel m = compileOk("""
                network N {
                    input x: float[4];
                    dense1 = x -> dense(4);
                    block b(x) { dense1 = x -> dense(4); dense1 -> dense(4) }
                    output y = dense1 -> b -> dense(4);
                }
                """);
        Map<String, String> p = params(m);
        assertThat(p.keySet()).containsExactly(
                "dense1.dense1.weight", "dense1.dense1.bias",
                "y.b1.dense1.dense1.weight", "y.b1.dense1.dense1.bias",
                "y.b1.dense1.weight", "y.b1.dense1.bias",
                "y.dense1.weight", "y.dense1.bias").inOrder();
    }
}
