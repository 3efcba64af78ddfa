package org.dnnc.runtime.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which column each of a network's inputs reads: the input's name (the key of the {@link
 * org.dnnc.runtime.Inputs} a batch is copied into) to a column of a {@link Dataset}, which may be
 * named otherwise. Immutable; held in arrays so that copying a batch allocates nothing.
 */
public final class ColumnBinding {
    final String[] names;
    final Column[] columns;

    private ColumnBinding(String[] names, Column[] columns) {
        this.names = names;
        this.columns = columns;
    }

    /** The binding of each key of {@code binding} (an input name) to its column, in the map's order. */
    public static ColumnBinding of(Map<String, Column> binding) {
        return new ColumnBinding(binding.keySet().toArray(new String[0]), binding.values().toArray(new Column[0]));
    }

    /** Input name to column, in order. */
    public Map<String, Column> asMap() {
        Map<String, Column> map = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            map.put(names[i], columns[i]);
        }
        return Collections.unmodifiableMap(map);
    }

    /** Whether some input reads {@code column}. */
    public boolean reads(Column column) {
        for (Column c : columns) {
            if (c == column) {
                return true;
            }
        }
        return false;
    }
}
