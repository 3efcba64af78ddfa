package org.dnnc.compiler.target;

import java.util.List;
import java.util.Optional;

/** The targets by the names the command line and build settings use. */
public final class Targets {
    private static final List<Target> ALL = List.of(CpuTarget.INSTANCE, CudaTarget.INSTANCE);

    private Targets() {}

    /** The target called {@code name} ({@code cpu}, {@code cuda}), or empty if there is none. */
    public static Optional<Target> named(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** Every target's name, in a stable order, for messages. */
    public static List<String> names() {
        return ALL.stream().map(Target::name).toList();
    }
}
