package org.dnnc.compiler.autodiff;

import java.util.List;
import java.util.function.Predicate;
import org.dnnc.compiler.sema.Option;
import org.dnnc.compiler.sema.TrainConfig;

/**
 * The parameters that {@code freeze(value)} directives keep fixed: those of the layers that
 * produced each named value, whose names start with {@code value.} (see {@code Env}'s naming).
 */
public final class Frozen {
    private Frozen() {}

    /** Accepts the names of the parameters that training may change. */
    public static Predicate<String> trainable(TrainConfig train) {
        List<String> prefixes = train.directives().stream()
                .filter(d -> d.name().equals("freeze"))
                .map(Frozen::valueName)
                .map(v -> v + ".")
                .toList();
        return name -> prefixes.stream().noneMatch(name::startsWith);
    }

    private static String valueName(Option freeze) {
        return freeze.args().string("value");
    }
}
