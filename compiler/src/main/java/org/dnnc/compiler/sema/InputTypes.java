package org.dnnc.compiler.sema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.Diagnostics;
import org.dnnc.compiler.diag.Suggestions;
import org.dnnc.compiler.ir.DType;
import org.dnnc.compiler.ir.Dim;
import org.dnnc.compiler.ir.TensorType;
import org.dnnc.compiler.syntax.TypeExpr;

/** Turns a declared input type ({@code float[1, 28, 28]}, {@code int[T <= 100]}) into a tensor type with the batch axis. */
final class InputTypes {
    static final List<String> ELEMENT_TYPES = List.of("float", "int");
    /** Bigger per-example dimensions are surely typos, and would overflow size arithmetic. */
    static final int MAX_DIM = 1 << 24;

    private InputTypes() {}

    /**
     * @param sequenceLengths the sequence lengths declared so far in the network, by name: one name
     *                        is one length, so its bound must agree everywhere
     */
    static Optional<TensorType> resolve(TypeExpr type, Diagnostics diagnostics,
            Map<String, TypeExpr.DimExpr.Variable> sequenceLengths) {
        boolean ok = true;
        String element = type.elementType().text();
        DType dtype = switch (element) {
            case "float" -> DType.F32;
            case "int" -> DType.I32;
            default -> null;
        };
        if (dtype == null) {
            diagnostics.report(Diagnostic.error(type.elementType().span(), "unknown element type `" + element + "`")
                    .withHint(Suggestions.closest(element, ELEMENT_TYPES).map(s -> "did you mean `" + s + "`?")
                            .orElse("element types are `float` and `int`")));
            ok = false;
        }
        List<Dim> dims = new ArrayList<>();
        dims.add(Dim.BATCH);
        for (TypeExpr.DimExpr d : type.dims()) {
            if (d instanceof TypeExpr.DimExpr.Fixed f) {
                int size = size(f.digits());
                if (size <= 0) {
                    diagnostics.error(f.span(), "a dimension must be between 1 and " + MAX_DIM + ", got " + f.digits());
                    ok = false;
                } else {
                    dims.add(Dim.of(size));
                }
            } else {
                var v = (TypeExpr.DimExpr.Variable) d;
                int max = size(v.maxDigits());
                if (max <= 0) {
                    diagnostics.error(v.span(), "the bound of `" + v.name().text() + "` must be between 1 and " + MAX_DIM
                            + ", got " + v.maxDigits());
                    ok = false;
                } else if (v.name().text().equals("N")) {
                    diagnostics.error(v.name().span(), "`N` is the batch dimension, which is implicit; name a sequence length `T`");
                    ok = false;
                } else if (!sameBound(v, max, sequenceLengths, diagnostics)) {
                    ok = false;
                } else {
                    dims.add(new Dim.Var(v.name().text(), max));
                }
            }
        }
        return ok ? Optional.of(new TensorType(dtype, dims)) : Optional.empty();
    }

    private static boolean sameBound(TypeExpr.DimExpr.Variable v, int max,
            Map<String, TypeExpr.DimExpr.Variable> sequenceLengths, Diagnostics diagnostics) {
        TypeExpr.DimExpr.Variable first = sequenceLengths.putIfAbsent(v.name().text(), v);
        if (first == null || size(first.maxDigits()) == max) {
            return true;
        }
        diagnostics.report(Diagnostic.error(v.span(), "sequence length `" + v.name().text() + "` is declared with bound "
                        + max + " here but " + size(first.maxDigits()) + " before")
                .withHint("one name is one length; name an independent length differently, e.g. `S <= " + max + "`")
                .withNote(first.span(), "`" + v.name().text() + "` is first declared here"));
        return false;
    }

    private static int size(String digits) {
        try {
            long v = Long.parseLong(digits);
            return v > MAX_DIM ? -1 : (int) v;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
