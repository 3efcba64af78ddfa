package org.dnnc.compiler.memory;

import static com.google.common.truth.Truth.assertThat;

import java.util.List;
import org.dnnc.compiler.target.CpuTarget;
import org.dnnc.compiler.ir.ActivationKind;
import org.dnnc.compiler.ir.Dense;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.GraphBuilder;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.ir.TensorType;
import org.junit.jupiter.api.Test;

/** Predictions take the largest multiple of the training batch, up to 256, that fits the budget. */
class PredictBatchTest {

    private static Graph dense() throws Exception {
        var b = new GraphBuilder("Dense");
        int x = b.input("x", TensorType.f32(Dim.BATCH, Dim.of(100)), Origin.NONE);
        int w = b.param("w", TensorType.f32(Dim.of(30), Dim.of(100)), true, "zeros", Origin.NONE);
        int bias = b.param("b", TensorType.f32(Dim.of(30)), true, "zeros", Origin.NONE);
        int y = b.add(new Dense(ActivationKind.RELU, 0), List.of(x, w, bias), Origin.NONE);
        b.output("y", y);
        return b.build();
    }

    @Test
    void takesTheLargestMultipleUpToTheLimitWhenMemoryAllows() throws Exception {
        Graph g = dense();
        assertThat(PredictBatch.choose(g, 64, Long.MAX_VALUE, CpuTarget.INSTANCE.memory())).isEqualTo(256);
        assertThat(PredictBatch.choose(g, 100, Long.MAX_VALUE, CpuTarget.INSTANCE.memory())).isEqualTo(200);
        assertThat(PredictBatch.choose(g, 300, Long.MAX_VALUE, CpuTarget.INSTANCE.memory())).isEqualTo(300);
    }

    @Test
    void staysWithinTheBudget() throws Exception {
        Graph g = dense();
        long at128 = MemoryPlanner.plan(g, 128, CpuTarget.INSTANCE.memory()).arenaBytes();
        assertThat(PredictBatch.choose(g, 64, at128, CpuTarget.INSTANCE.memory())).isEqualTo(128);
        assertThat(PredictBatch.choose(g, 64, at128 - 1, CpuTarget.INSTANCE.memory())).isEqualTo(64);
        // The training batch itself is always allowed: training planned for it.
        assertThat(PredictBatch.choose(g, 64, 0, CpuTarget.INSTANCE.memory())).isEqualTo(64);
    }
}
