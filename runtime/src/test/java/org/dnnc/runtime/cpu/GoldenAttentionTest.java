package org.dnnc.runtime.cpu;

import org.junit.jupiter.api.Test;

/**
 * The attention kernel against PyTorch ({@code shared/golden/cases/additive_attention}): the
 * context, the weights, and the gradients of the query, the values, {@code W} and {@code v} from the
 * case's {@code dcontext}, within its tolerances (rtol 1e-4, atol 1e-5).
 */
class GoldenAttentionTest {

    @Test
    void contextWeightsAndGradientsMatchPyTorch() {
        Golden g = Golden.load("additive_attention");
        int[] query = g.npy(g.file("inputs", "g")).shape();
        int[] values = g.npy(g.file("inputs", "z")).shape();
        int n = query[0];
        AttentionGeometry geometry = new AttentionGeometry(1, values[1], query[1], values[2],
                (int) g.attr("attention_units"));
        Buf q = g.buf("inputs", "g");
        Buf z = g.buf("inputs", "z");
        Buf w = g.buf("params", "W");
        Buf v = g.buf("params", "v");
        Buf context = Buf.allocate(n * geometry.valueFeatures());
        Buf weights = Buf.allocate(n * geometry.steps());
        Buf workspace = Buf.allocate(Math.toIntExact(Attention.workspaceFloats(geometry, n)));
        Attention.forward(geometry, q, z, null, w, v, context, weights, workspace, n);
        g.check("context", context, g.file("outputs", "context"));
        g.check("alpha", weights, g.file("outputs", "alpha"));

        Buf dq = Buf.allocate(q.size());
        Buf dz = Buf.allocate(z.size());
        Buf dw = Buf.allocate(w.size());
        Buf dv = Buf.allocate(v.size());
        Elementwise.fill(dz, dz.size(), Float.NaN);
        Attention.backward(geometry, q, z, null, w, v, g.buf("dcontext.npy"), workspace, dq, dz, dw, dv, n, false);
        g.checkGrad("g", dq);
        g.checkGrad("z", dz);
        g.checkGrad("W", dw);
        g.checkGrad("v", dv);
    }
}
