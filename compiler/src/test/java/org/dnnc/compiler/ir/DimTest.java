package org.dnnc.compiler.ir;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DimTest {

    @Test
    void printsSizeBatchAndVariableName() {
        assertThat(Dim.of(28).toString()).isEqualTo("28");
        assertThat(Dim.BATCH.toString()).isEqualTo("N");
        assertThat(new Dim.Var("T", 100).toString()).isEqualTo("T");
    }

    @Test
    void boundIsSizeOrMaximum() {
        assertThat(Dim.of(28).bound()).isEqualTo(28);
        assertThat(new Dim.Var("T", 100).bound()).isEqualTo(100);
    }

    @Test
    void batchHasNoBound() {
        assertThrows(IllegalStateException.class, Dim.BATCH::bound);
    }

    @Test
    void dimensionsAgreeOnlyWhenEqual() {
        assertThat(Dim.of(3)).isEqualTo(new Dim.Fixed(3));
        assertThat(new Dim.Batch()).isEqualTo(Dim.BATCH);
        assertThat(new Dim.Var("T", 10)).isEqualTo(new Dim.Var("T", 10));
        assertThat(new Dim.Var("T", 10)).isNotEqualTo(new Dim.Var("S", 10));
        assertThat(Dim.of(10)).isNotEqualTo(new Dim.Var("T", 10));
    }

    @Test
    void variableNeedsAName() {
        assertThrows(IllegalArgumentException.class, () -> new Dim.Var(" ", 10));
    }
}
