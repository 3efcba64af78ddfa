package org.dnnc.compiler.cli;

import java.util.Optional;
import org.dnnc.compiler.autodiff.AutodiffException;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.diag.SourceFile;
import org.dnnc.compiler.ir.Graph;
import org.dnnc.compiler.lowering.LoweredProgram;
import org.dnnc.compiler.lowering.Lowering;
import org.dnnc.compiler.sema.NetworkModel;
import org.dnnc.compiler.target.Target;

/**
 * The program of a network that a command shows: as written, or one of the programs the generated
 * class runs (training step, evaluation, inference), taken from the one {@link Lowering} that the
 * code generator uses too.
 */
enum ProgramChoice {
    FORWARD(null),
    TRAIN(Program.Kind.TRAIN),
    EVAL(Program.Kind.EVALUATE),
    INFER(Program.Kind.INFER);

    private final Program.Kind kind;

    ProgramChoice(Program.Kind kind) {
        this.kind = kind;
    }

    /** The lowering of {@code model} for {@code target}, or empty after reporting why the network cannot be lowered. */
    static Optional<Lowering> lower(Console console, SourceFile source, NetworkModel model, Target target,
            boolean fuse) {
        try {
            return Optional.of(Lowering.of(model, target, fuse));
        } catch (AutodiffException e) {
            console.errorAt(source, e.origin().span().isNone() ? model.span() : e.origin().span(), e.getMessage());
            return Optional.empty();
        }
    }

    /** This program of {@code lowering}, or empty after reporting that the network has no such program. */
    Optional<LoweredProgram> of(Console console, SourceFile source, Lowering lowering) {
        Optional<LoweredProgram> program = lowering.program(kind);
        if (program.isEmpty()) {
            console.errorAt(source, lowering.model().span(), "network `" + lowering.model().name()
                    + "` has no train section, so it has no " + name().toLowerCase(java.util.Locale.ROOT)
                    + " program; it is only run, not trained");
        }
        return program;
    }

    /** A program's graph before the target's passes, and the largest batch its memory plan takes. */
    record Built(Graph graph, int batch) {}

    /** The graph before the target's passes, with its batch, or empty after reporting why there is none. */
    Optional<Built> build(Console console, SourceFile source, NetworkModel model, Target target, boolean fuse) {
        if (kind == null) {
            return Optional.of(new Built(model.graph(), model.train().batch()));
        }
        return lower(console, source, model, target, fuse).flatMap(l -> of(console, source, l))
                .map(p -> new Built(p.source(), p.plan().batch()));
    }

    Program.Kind kind() {
        return kind;
    }
}
