package org.dnnc.compiler.cli;

import java.util.Optional;
import org.dnnc.compiler.autodiff.AutodiffException;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.autodiff.Frozen;
import org.dnnc.compiler.autodiff.Inference;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.DiagnosticRenderer;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.sema.NetworkModel;

/** The program of a network that a command shows: as written, the training step, or inference. */
enum ProgramChoice {
    FORWARD,
    TRAIN,
    INFER;

    /** The graph, or empty after reporting why the network cannot be trained. */
    Optional<Graph> build(Console console, SourceFile source, NetworkModel model) {
        return switch (this) {
            case FORWARD -> Optional.of(model.graph());
            case INFER -> Optional.of(Inference.of(model.graph()).graph());
            case TRAIN -> {
                try {
                    yield Optional.of(Differentiator.train(model.graph(), Frozen.trainable(model.train())).graph());
                } catch (AutodiffException e) {
                    var span = e.origin().span().isNone() ? model.span() : e.origin().span();
                    console.err().print(new DiagnosticRenderer(console.color()).render(source, Diagnostic.error(span, e.getMessage())));
                    console.err().println(DiagnosticRenderer.summary(1, 0));
                    yield Optional.empty();
                }
            }
        };
    }
}
