package org.dnnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import org.dnnc.compiler.ir.Layout;

/**
 * The trailing layout arguments of runtime calls that take them. A call whose activations are all
 * NCHW gets none and so keeps the overload without them, which leaves the code generated for
 * networks without blocked values as it was.
 */
final class LayoutArgs {
    private LayoutArgs() {}

    /** {@code , Layout.X} for each of {@code layouts}, or nothing when all are NCHW. */
    static CodeBlock of(Layout... layouts) {
        boolean blocked = false;
        for (Layout l : layouts) {
            blocked |= l != Layout.NCHW;
        }
        CodeBlock.Builder code = CodeBlock.builder();
        if (blocked) {
            for (Layout l : layouts) {
                code.add(", $T.$L", RuntimeNames.LAYOUT, l);
            }
        }
        return code.build();
    }
}
