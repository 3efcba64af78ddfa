package org.dnnc.runtime.data;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.dnnc.runtime.ElementType;
import org.dnnc.runtime.Inputs;
import org.junit.jupiter.api.Test;

/** Data sets of named columns: built, cut and batched with every column kept in step. */
class DatasetColumnsTest {

    private static Dataset threeColumns() {
        return Dataset.builder()
                .features("image", new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 2)
                .ints("class_id", new int[] {10, 11, 12, 13})
                .labels("label", new int[] {0, 1, 0, 1})
                .build();
    }

    @Test
    void columnsKeepTheirNamesTypesAndRoles() {
        Dataset data = threeColumns();
        assertThat(data.size()).isEqualTo(4);
        assertThat(data.columns().stream().map(Column::toString).toList())
                .containsExactly("image: float[2]", "class_id: int", "label: int").inOrder();
        assertThat(data.column("class_id").type()).isEqualTo(ElementType.INT32);
        assertThat(data.featureColumn().orElseThrow().name()).isEqualTo("image");
        assertThat(data.labelColumn().orElseThrow().name()).isEqualTo("label");
        assertThat(data.targetColumn()).isEmpty();
        assertThat(data.label(3)).isEqualTo(1);
        assertThat(data.toString()).isEqualTo(
                "Dataset[4 examples: image: float[2] (features), class_id: int, label: int (labels)]");
        assertThat(assertThrows(IllegalArgumentException.class, () -> data.column("ids"))).hasMessageThat()
                .startsWith("no column `ids` in Dataset[4 examples");
    }

    @Test
    void theLegacyFactoriesNameTheirColumns() {
        Dataset data = Dataset.of(new float[4], new int[] {2}, new int[2]);
        assertThat(data.toString()).isEqualTo("Dataset[2 examples: features: float[2] (features), labels: int (labels)]");
    }

    @Test
    void columnsMustAgreeOnTheNumberOfExamples() {
        var e = assertThrows(IllegalArgumentException.class, () -> Dataset.builder()
                .features("image", new float[8], 2).ints("class_id", new int[3]).build());
        assertThat(e).hasMessageThat().isEqualTo("column `class_id`: 4 examples of shape [] need 4 values, got 3");
        assertThrows(IllegalArgumentException.class, () -> Dataset.builder()
                .features("image", new float[8], 2).ints("image", new int[4]).build());
        assertThrows(IllegalArgumentException.class, () -> Dataset.builder().labels("label", new int[] {-1}));
        assertThrows(IllegalStateException.class, () -> Dataset.builder()
                .features("a", new float[2], 1).features("b", new float[2], 1));
    }

    @Test
    void subsetsSplitsAndStandardizationKeepEveryColumnInStep() {
        Dataset data = threeColumns();
        Dataset picked = data.subset(new int[] {3, 1});
        assertThat(picked.features(0)).isEqualTo(new float[] {6, 7});
        assertThat(picked.column("class_id").toString()).isEqualTo("class_id: int");
        Inputs batch = Inputs.of("x", new float[4]).and("id", new int[2]).and("y", new int[2]);
        ColumnBinding binding = ColumnBinding.of(java.util.Map.of("x", picked.column("image")));
        assertThat(Batches.of(picked, 2).epoch(0).next(batch, binding)).isEqualTo(2);
        assertThat(batch.floats("x")).isEqualTo(new float[] {6, 7, 2, 3});

        Dataset.Split split = data.split(0.5, 1);
        assertThat(split.train().columns()).hasSize(3);
        assertThat(split.validation().size()).isEqualTo(2);

        Dataset standardized = Standardization.global(data).apply(data);
        assertThat(standardized.column("class_id").name()).isEqualTo("class_id");
        assertThat(standardized.featureColumn().orElseThrow().name()).isEqualTo("image");
        assertThat(standardized.reshape(1, 2).exampleShape()).isEqualTo(new int[] {1, 2});
    }

    @Test
    void batchesCopyEachBoundColumnUnderItsInputName() {
        Dataset data = threeColumns();
        Inputs batch = Inputs.of("pixels", new float[6]).and("id", new int[3]).and("label", new int[3]);
        var binding = new java.util.LinkedHashMap<String, Column>();
        binding.put("pixels", data.column("image"));
        binding.put("id", data.column("class_id"));
        binding.put("label", data.column("label"));
        BatchIterator it = Batches.of(data, 3).epoch(0);
        assertThat(it.next(batch, ColumnBinding.of(binding))).isEqualTo(3);
        assertThat(batch.floats("pixels")).isEqualTo(new float[] {0, 1, 2, 3, 4, 5});
        assertThat(batch.ints("id")).isEqualTo(new int[] {10, 11, 12});
        assertThat(it.next(batch, ColumnBinding.of(binding))).isEqualTo(1);
        assertThat(batch.ints("id")[0]).isEqualTo(13);
        assertThat(batch.ints("label")[0]).isEqualTo(1);
    }
}
