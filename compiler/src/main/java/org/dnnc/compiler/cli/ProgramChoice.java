package org.dnnc.compiler.cli;

import java.util.Optional;
import org.dnnc.compiler.autodiff.AutodiffException;
import org.dnnc.compiler.autodiff.Differentiator;
import org.dnnc.compiler.autodiff.Frozen;
import org.dnnc.compiler.autodiff.Inference;
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
                    console.errorAt(source, e.origin().span().isNone() ? model.span() : e.origin().span(), e.getMessage());
                    yield Optional.empty();
                }
            }
        };
    }
}
