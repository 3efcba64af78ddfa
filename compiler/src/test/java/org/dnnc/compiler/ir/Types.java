package org.dnnc.compiler.ir;

import java.util.ArrayList;
import java.util.Locale;

/** Writes tensor types in tests as they print: {@code type("f32[N,T,64]")}. */
final class Types {

    /** The maximum of every variable dimension made by {@link #type}. */
    static final int VAR_MAX = 32;

    private Types() {}

    /** Numbers are fixed sizes, {@code N} is the batch, any other name a variable of maximum {@link #VAR_MAX}. */
    static TensorType type(String text) {
        int open = text.indexOf('[');
        DType dtype = DType.valueOf(text.substring(0, open).toUpperCase(Locale.ROOT));
        String body = text.substring(open + 1, text.length() - 1);
        var dims = new ArrayList<Dim>();
        if (!body.isEmpty()) {
            for (String part : body.split(",")) {
                dims.add(dim(part));
            }
        }
        return new TensorType(dtype, dims);
    }

    private static Dim dim(String text) {
        if (text.equals("N")) {
            return Dim.BATCH;
        }
        if (Character.isDigit(text.charAt(0)) || text.charAt(0) == '-') {
            return Dim.of(Integer.parseInt(text));
        }
        return new Dim.Var(text, VAR_MAX);
    }
}
