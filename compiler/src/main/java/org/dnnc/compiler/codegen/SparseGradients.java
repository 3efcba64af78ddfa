package org.dnnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;
import org.dnnc.compiler.ir.EmbeddingGrad;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.ir.Node;

/**
 * The training step's sparse embedding gradients ({@link EmbeddingGrad#sparse()}, which lowering
 * sets for plain SGD only): each table's list of the rows its batch's ids picked, the gradient
 * sizes the finiteness check and clipping read each step (those rows' elements), and the update of
 * those rows alone. The other rows' gradient is zero, so their norm is zero and SGD leaves them as
 * they are: the step computes bit for bit what the dense gradient would.
 */
final class SparseGradients {
    /** One sparse gradient: its node, and its table {@code [vocab, dim]} indexed by up to {@code ids} ids a step. */
    private record Table(int node, int vocab, int dim, int ids) {}

    /** Parameter name -> its sparse gradient. */
    private final Map<String, Table> tables;

    private SparseGradients(Map<String, Table> tables) {
        this.tables = tables;
    }

    /** The sparse ones among {@code gradients} (parameter name -> value) of the training program {@code train}. */
    static SparseGradients of(Graph train, Map<String, Integer> gradients, int batch) {
        Map<String, Table> tables = new LinkedHashMap<>();
        gradients.forEach((param, id) -> {
            Node n = train.node(id);
            if (n.op() instanceof EmbeddingGrad g && g.sparse()) {
                tables.put(param, new Table(id, g.vocab(), Sizes.last(n.type()),
                        Sizes.maxCount(train.node(n.inputs().get(1)).type(), batch)));
            }
        });
        return new SparseGradients(tables);
    }

    /** The field of the {@code EmbeddingRows} of the sparse gradient node {@code id}. */
    static String rowsField(int id) {
        return "embeddingRows" + id;
    }

    boolean any() {
        return !tables.isEmpty();
    }

    boolean has(String param) {
        return tables.containsKey(param);
    }

    /** One {@code EmbeddingRows} per sparse gradient, sized for every id of the largest batch. */
    List<FieldSpec> fieldSpecs() {
        List<FieldSpec> fields = new ArrayList<>();
        for (Table t : tables.values()) {
            fields.add(FieldSpec.builder(RuntimeNames.EMBEDDING_ROWS, rowsField(t.node()), Modifier.PRIVATE,
                    Modifier.FINAL).initializer("new $T($L, $L, $L)", RuntimeNames.EMBEDDING_ROWS, t.ids(), t.vocab(),
                    t.dim()).build());
        }
        return fields;
    }

    /**
     * Sets the entries of {@code sizes} (in the order of {@code order}, the parameters of the
     * gradients) of the sparse gradients to the elements their rows hold. With {@code clipNorm}, a
     * step that lets non-finite gradients through first makes them dense: clip_norm's factor is then
     * NaN, which turns even the zero rows of a dense gradient into NaN.
     */
    CodeBlock sizes(List<String> order, String sizes, boolean clipNorm, Map<String, String> gradientFields) {
        CodeBlock.Builder code = CodeBlock.builder();
        for (var e : tables.entrySet()) {
            String rows = rowsField(e.getValue().node());
            code.add("// $L: sparse gradient, as plain SGD leaves a row whose gradient is zero unchanged: only the\n"
                    + "// rows of the batch's ids are checked, clipped and updated\n", e.getKey());
            if (clipNorm) {
                code.beginControlFlow("if (updateOnNonFinite)")
                        .addStatement("$L.expand($L)", rows, gradientFields.get(e.getKey()))
                        .endControlFlow();
            }
            code.addStatement("$L[$L] = $L.elements()", sizes, order.indexOf(e.getKey()), rows);
        }
        return code.build();
    }

    /** The update of the sparse gradient of {@code param}: plain SGD on the rows of the batch's ids. */
    CodeBlock update(String param, String paramField, String gradientField) {
        Table t = tables.get(param);
        return CodeBlock.builder().add("// $L: sparse, the rows of the batch's ids only\n", param)
                .addStatement("$T.sgdRows($L, $L, $L, $L, $L, lr)", RuntimeNames.OPTIMIZERS,
                paramField, gradientField, rowsField(t.node()), t.vocab(), t.dim()).build();
    }
}
