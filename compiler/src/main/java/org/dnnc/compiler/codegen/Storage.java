package org.dnnc.compiler.codegen;

import static javax.lang.model.element.Modifier.FINAL;
import static javax.lang.model.element.Modifier.PRIVATE;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.FieldSpec;
import org.dnnc.compiler.autodiff.Program;
import org.dnnc.compiler.lowering.Lowering;

/**
 * Where a generated class keeps its views of the arenas. A network of readable size gets a named
 * final field per view ({@code t12_logits_dense1}), assigned in the constructor. A class has at most
 * 65,535 constant-pool entries, and each named field takes three (its name, its name and type, the
 * reference), so a deep network's views go to one array per program and kind of state instead
 * ({@code t$[12]}), which take none per view and can be assigned by helper methods.
 */
final class Storage {
    /**
     * The most views a class keeps in named fields. Their assignments, about 17 bytes of bytecode
     * each, must fit the constructor's 64 KB.
     */
    static final int NAMED_VIEWS = 2_000;

    private Storage() {}

    /** Whether the class of {@code lowering} keeps its views in arrays: more than {@link #NAMED_VIEWS}. */
    static boolean indexed(Lowering lowering, int params) {
        long views = 3L * params;
        for (Program.Kind kind : Program.Kind.values()) {
            views += lowering.program(kind).map(p -> p.plan().buffers().size()).orElse(0);
        }
        return views > NAMED_VIEWS;
    }

    /** Element {@code index} of the array {@code prefix$}. */
    static String element(String prefix, int index) {
        return prefix + "$[" + index + "]";
    }

    /** The array {@code prefix$} of {@code size} views. */
    static FieldSpec array(String prefix, int size) {
        return FieldSpec.builder(ArrayTypeName.of(RuntimeNames.BUF), prefix + "$", PRIVATE, FINAL)
                .initializer("new $T[$L]", RuntimeNames.BUF, size).build();
    }
}
