package org.dnnc.compiler.sema;

import java.util.List;

/** A name the language knows: a layer, a loss, or an option of the train section. */
public sealed interface RegistryEntry permits LayerSpec, OptionSpec {
    String name();

    Category category();

    List<ParamSpec> params();

    /** One line for docs and hover text. */
    String summary();
}
