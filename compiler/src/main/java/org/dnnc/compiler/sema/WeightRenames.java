package org.dnnc.compiler.sema;

import java.util.ArrayList;
import java.util.List;

/**
 * The renaming rules of {@code load_weights(..., map: "from=to, ...")}: each maps the checkpoint's
 * tensor names starting with {@code from} to the network's names starting with {@code to}, as
 * the runtime's {@code LoadOptions.rename(from, to)} does (PyTorch's {@code features.0.} to a
 * layer's {@code logits.features1.conv2d1.}). Checked here so that a malformed rule is an error
 * of {@code check}, not of the program that builds the network.
 *
 * @param from the prefix of the checkpoint's names, never empty
 * @param to what replaces it
 */
public record WeightRenames(String from, String to) {

    /** The rules of {@code text}, in order, which {@link #problem} has accepted. */
    public static List<WeightRenames> parse(String text) {
        List<WeightRenames> rules = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                rules.add(new WeightRenames(part.substring(0, eq).strip(), part.substring(eq + 1).strip()));
            }
        }
        return rules;
    }

    /** Why {@code text} is not a list of rules {@code from=to} separated by commas, or {@code null} if it is. */
    public static String problem(String text) {
        if (text.isBlank()) {
            return "`map` holds no renaming rule";
        }
        for (String part : text.split(",", -1)) {
            if (part.isBlank()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq < 0 || part.indexOf('=', eq + 1) >= 0) {
                return "`map` rule `" + part.strip() + "` is not of the form `from=to`";
            }
            if (part.substring(0, eq).isBlank()) {
                return "`map` rule `" + part.strip() + "` has no prefix to match before `=`";
            }
        }
        return null;
    }
}
