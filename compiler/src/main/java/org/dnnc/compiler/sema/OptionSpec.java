package org.dnnc.compiler.sema;

import java.util.List;

/**
 * An optimizer, schedule, initializer, augmentation, train setting or directive. A setting has one
 * parameter, {@code value}, that gives the type of what follows {@code =}.
 */
public record OptionSpec(String name, Category category, List<ParamSpec> params, String summary)
        implements RegistryEntry {
    public OptionSpec {
        params = List.copyOf(params);
    }
}
