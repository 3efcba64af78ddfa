package org.dnnc.compiler.cli;

import org.dnnc.compiler.target.Target;
import org.dnnc.compiler.target.Targets;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --target NAME}: a target by name, or a usage error that lists the names there are. */
final class TargetConverter implements ITypeConverter<Target> {
    /** What the option's help says. */
    static final String DESCRIPTION = "The target to compile for: cpu or cuda (default: cpu).";

    @Override
    public Target convert(String name) {
        return Targets.named(name).orElseThrow(() -> new TypeConversionException(
                "unknown target '" + name + "'; the targets are " + String.join(", ", Targets.names())));
    }
}
