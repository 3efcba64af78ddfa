package org.dnnc.compiler.ir;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the insertion-ordered, unmodifiable attribute maps of ops. */
final class Attrs {

    private Attrs() {}

    static Map<String, Object> of(Object... keysAndValues) {
        var map = new LinkedHashMap<String, Object>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
