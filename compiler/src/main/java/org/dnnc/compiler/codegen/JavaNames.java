package org.dnnc.compiler.codegen;

import java.util.Set;

/** Java identifiers from names in the network: {@code logits.dense1.weight} becomes {@code logits_dense1_weight}. */
final class JavaNames {
    private JavaNames() {}

    static String identifier(String name) {
        StringBuilder out = new StringBuilder();
        for (char c : name.toCharArray()) {
            out.append(Character.isJavaIdentifierPart(c) ? c : '_');
        }
        if (out.length() == 0 || !Character.isJavaIdentifierStart(out.charAt(0))) {
            out.insert(0, '_');
        }
        return out.toString();
    }

    /** {@code base}, else {@code base_2}, {@code base_3}...: the first that is not {@code taken}, which it joins. */
    static String unique(String base, Set<String> taken) {
        String name = base;
        for (int i = 2; !taken.add(name); i++) {
            name = base + "_" + i;
        }
        return name;
    }
}
