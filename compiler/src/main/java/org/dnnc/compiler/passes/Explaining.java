package org.dnnc.compiler.passes;

import java.util.List;
import org.dnnc.compiler.ir.Graph;

/** A pass that can say why candidates it saw in a graph were left as they are. */
public interface Explaining {

    /** One line per missed candidate, such as "matmul %12 not fused with bias_add %13: ...". */
    List<String> explain(Graph graph);
}
