package org.dnnc.compiler.ir;

import static com.google.common.truth.Truth.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TensorTypeTest {

    private static final Dim.Var T = new Dim.Var("T", 50);

    @Test
    void printsDtypeAndDims() {
        assertThat(TensorType.f32(Dim.BATCH, Dim.of(1), Dim.of(28), Dim.of(28)).toString()).isEqualTo("f32[N,1,28,28]");
        assertThat(TensorType.of(DType.I32, Dim.BATCH).toString()).isEqualTo("i32[N]");
        assertThat(TensorType.scalar(DType.F32).toString()).isEqualTo("f32[]");
        assertThat(TensorType.f32(Dim.BATCH, T, Dim.of(64)).toString()).isEqualTo("f32[N,T,64]");
    }

    @Test
    void dtypeMnemonics() {
        assertThat(DType.F32.mnemonic()).isEqualTo("f32");
        assertThat(DType.I32.mnemonic()).isEqualTo("i32");
    }

    @Test
    void dimCountsNegativeAxesFromTheEnd() {
        TensorType t = TensorType.f32(Dim.BATCH, T, Dim.of(64));
        assertThat(t.rank()).isEqualTo(3);
        assertThat(t.dim(0)).isEqualTo(Dim.BATCH);
        assertThat(t.dim(-1)).isEqualTo(Dim.of(64));
        assertThat(t.dim(-3)).isEqualTo(Dim.BATCH);
        assertThrows(IndexOutOfBoundsException.class, () -> t.dim(3));
        assertThrows(IndexOutOfBoundsException.class, () -> t.dim(-4));
    }

    @Test
    void scalarAndBatch() {
        assertThat(TensorType.scalar(DType.F32).isScalar()).isTrue();
        assertThat(TensorType.scalar(DType.F32).hasBatch()).isFalse();
        assertThat(TensorType.f32(Dim.of(3)).isScalar()).isFalse();
        assertThat(TensorType.f32(Dim.of(3)).hasBatch()).isFalse();
        assertThat(TensorType.f32(Dim.BATCH, Dim.of(3)).hasBatch()).isTrue();
        assertThat(TensorType.f32(Dim.of(3), Dim.BATCH).hasBatch()).isFalse();
    }

    @Test
    void elementsPerExampleSkipsBatchAndCountsVariablesAtTheirMaximum() {
        assertThat(TensorType.f32(Dim.BATCH, Dim.of(1), Dim.of(28), Dim.of(28)).elementsPerExample()).isEqualTo(784);
        assertThat(TensorType.f32(Dim.BATCH, T, Dim.of(64)).elementsPerExample()).isEqualTo(50 * 64);
        assertThat(TensorType.scalar(DType.F32).elementsPerExample()).isEqualTo(1);
    }

    @Test
    void withDimsKeepsDtype() {
        TensorType ids = TensorType.of(DType.I32, Dim.BATCH, T);
        assertThat(ids.withDims(List.of(Dim.BATCH))).isEqualTo(TensorType.of(DType.I32, Dim.BATCH));
    }

    @Test
    void copiesItsDims() {
        var dims = new ArrayList<Dim>(List.of(Dim.BATCH, Dim.of(3)));
        var t = new TensorType(DType.F32, dims);
        dims.add(Dim.of(4));
        assertThat(t.rank()).isEqualTo(2);
        assertThrows(UnsupportedOperationException.class, () -> t.dims().add(Dim.of(5)));
    }
}
