package org.dnnc.runtime;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Named inputs are checked against a network's declared tensors; outputs are found by name. */
class InputsOutputsTest {
    private static final List<TensorSpec> SPECS = List.of(TensorSpec.floats("image", 1, 2, 2), TensorSpec.ints("class_id"));

    @Test
    void specsPrintAsTheLanguageWritesThem() {
        assertThat(SPECS.get(0).toString()).isEqualTo("image: float[1, 2, 2]");
        assertThat(SPECS.get(1).toString()).isEqualTo("class_id: int");
        assertThat(SPECS.get(0).size()).isEqualTo(4);
        assertThat(SPECS.get(1).size()).isEqualTo(1);
        assertThat(TensorSpec.ints("tokens", 40)).isEqualTo(new TensorSpec("tokens", ElementType.INT32, new int[] {40}));
        assertThrows(IllegalArgumentException.class, () -> TensorSpec.floats("x", 0));
    }

    @Test
    void countIsTheCommonNumberOfExamples() {
        assertThat(Inputs.of("image", new float[12]).and("class_id", new int[3]).count(SPECS)).isEqualTo(3);
        var differ = assertThrows(IllegalArgumentException.class,
                () -> Inputs.of("image", new float[12]).and("class_id", new int[2]).count(SPECS));
        assertThat(differ).hasMessageThat().isEqualTo("inputs hold different numbers of examples: `image` 3, `class_id` 2");
        var partial = assertThrows(IllegalArgumentException.class,
                () -> Inputs.of("image", new float[10]).and("class_id", new int[2]).count(SPECS));
        assertThat(partial).hasMessageThat().isEqualTo(
                "input `image`: 10 values are not a whole number of examples of float[1, 2, 2] (4 values each)");
    }

    @Test
    void missingUnknownAndMistypedInputsAreNamed() {
        var missing = assertThrows(IllegalArgumentException.class, () -> Inputs.of("image", new float[4]).count(SPECS));
        assertThat(missing).hasMessageThat().isEqualTo(
                "no array given for input `class_id` (int): the network reads image: float[1, 2, 2], class_id: int");
        var unknown = assertThrows(IllegalArgumentException.class,
                () -> Inputs.of("image", new float[4]).and("classid", new int[1]).count(SPECS));
        assertThat(unknown).hasMessageThat().startsWith("unknown input `classid`: the network reads");
        var mistyped = assertThrows(IllegalArgumentException.class,
                () -> Inputs.of("image", new float[4]).and("class_id", new float[1]).count(SPECS));
        assertThat(mistyped).hasMessageThat().isEqualTo("input `class_id` is int, but float values were given");
        assertThat(assertThrows(IllegalArgumentException.class, () -> Inputs.of("image", new float[4]).ints("image")))
                .hasMessageThat().isEqualTo("input `image` holds float values, not int");
    }

    @Test
    void aStepNeedsCountExamplesOfEveryInputAndAllowsLongerBuffers() {
        Inputs batch = Inputs.of("image", new float[4 * 8]).and("class_id", new int[8]);
        batch.checkBatch(SPECS, 5, 8);
        var tooMany = assertThrows(IllegalArgumentException.class, () -> batch.checkBatch(SPECS, 9, 8));
        assertThat(tooMany).hasMessageThat().isEqualTo("a step takes between 1 and 8 examples, got 9");
        Inputs shortIds = Inputs.of("image", new float[4 * 8]).and("class_id", new int[4]);
        var e = assertThrows(IllegalArgumentException.class, () -> shortIds.checkBatch(SPECS, 5, 8));
        assertThat(e).hasMessageThat().isEqualTo("input `class_id`: expected 5 examples of int (1 value each), got 4 values");
    }

    @Test
    void outputsAreFoundByName() {
        Outputs out = Outputs.allocate(List.of(TensorSpec.floats("probs", 3), TensorSpec.floats("code", 2)), 2);
        float[] probs = out.get("probs");
        probs[3] = 0.2f;
        probs[4] = 0.7f;
        probs[5] = 0.1f;
        assertThat(out.count()).isEqualTo(2);
        assertThat(out.example("probs", 1)).isEqualTo(new float[] {0.2f, 0.7f, 0.1f});
        assertThat(out.argmax("probs", 1)).isEqualTo(1);
        assertThat(out.get("code")).hasLength(4);
        assertThat(out.shape("code")).isEqualTo(new int[] {2});
        assertThat(assertThrows(IllegalArgumentException.class, () -> out.get("prob"))).hasMessageThat()
                .isEqualTo("no output `prob`: the outputs are probs: float[3], code: float[2]");
        assertThrows(IndexOutOfBoundsException.class, () -> out.example("probs", 2));
    }
}
