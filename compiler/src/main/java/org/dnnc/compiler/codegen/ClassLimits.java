package org.dnnc.compiler.codegen;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.dnnc.compiler.ir.Origin;
import org.dnnc.compiler.memory.Buffer;
import org.dnnc.compiler.memory.MemoryPlan;
import org.dnnc.compiler.sema.NetworkModel;

/**
 * The limits of a class file that splitting methods cannot lift (JVMS 4.4): one constant pool of at
 * most 65,535 entries per class, and at most 65,535 bytes per name or string constant. A network too
 * large for them is refused here, at the network's declaration, rather than by javac in the user's
 * build with an error about a file they did not write.
 *
 * <p>The pool is counted from the generated source, as an upper bound: every distinct string, long,
 * double, and int or float that no short instruction holds is a constant, and every distinct name
 * costs at most four entries (a field or method reference, its name and type, the name, the
 * descriptor). Views and helpers are few names in a deep network's class (see {@link Storage}), so
 * what fills its pool is the distinct numbers: offsets, sizes and seeds, a few per layer.
 */
final class ClassLimits {
    /** One more than the entries of a class's constant pool (JVMS 4.1: {@code constant_pool_count} is a u2). */
    static final int CONSTANT_POOL = 65_535;
    /** Bytes of one name or string constant (a {@code CONSTANT_Utf8}'s length is a u2). */
    static final int UTF8_BYTES = 65_535;
    /** Entries of any generated class beyond its literals and names: attribute names, descriptors, classes. */
    private static final int BASE = 1_000;

    private final Set<String> strings = new HashSet<>();
    private final Set<String> wide = new HashSet<>();
    private final Set<String> narrow = new HashSet<>();
    private final Set<String> names = new HashSet<>();
    private int longestUtf8;

    private ClassLimits() {}

    /**
     * @throws CodegenException at the network's declaration if {@code source}, its class, would not
     *     fit a class file
     */
    static void check(String source, NetworkModel model) throws CodegenException {
        ClassLimits count = new ClassLimits();
        count.scan(source);
        Origin at = new Origin(model.span(), "");
        if (count.longestUtf8 > UTF8_BYTES) {
            throw new CodegenException(String.format(Locale.ROOT, "network `%s` has a name or string of %,d bytes in its"
                    + " Java class, and a class file holds at most %,d bytes per name", model.name(), count.longestUtf8,
                    UTF8_BYTES), at);
        }
        requireFits(model, count.entries());
    }

    /**
     * Refuses, before any code is generated, a network whose class cannot fit whatever the code: its
     * plans' offsets and its parameters' names are constants of the class (as {@code long} literals
     * and strings), and those alone may be too many. A network of a hundred thousand layers is refused
     * here at once, where generating its source first would take minutes.
     *
     * @throws CodegenException at the network's declaration if they do not fit
     */
    static void checkEarly(NetworkModel model, Collection<MemoryPlan> plans, Collection<String> paramNames)
            throws CodegenException {
        Set<Long> offsets = new HashSet<>();
        for (MemoryPlan plan : plans) {
            for (Buffer b : plan.buffers()) {
                if (b.offset() > 1) {
                    offsets.add(b.offset());
                }
            }
        }
        requireFits(model, BASE + 2L * offsets.size() + 2L * new HashSet<>(paramNames).size());
    }

    private static void requireFits(NetworkModel model, long entries) throws CodegenException {
        if (entries >= CONSTANT_POOL) {
            throw new CodegenException(String.format(Locale.ROOT, "network `%s` is too large for one Java class: its"
                    + " class would need about %,d constants (offsets, sizes, names), and a class file holds fewer than"
                    + " %,d; use fewer layers", model.name(), entries, CONSTANT_POOL), new Origin(model.span(), ""));
        }
    }

    /** An upper bound of the constant-pool entries of the class in {@code source}. */
    static long estimate(String source) {
        ClassLimits count = new ClassLimits();
        count.scan(source);
        return count.entries();
    }

    private long entries() {
        return BASE + 2L * strings.size() + 2L * wide.size() + narrow.size() + 4L * names.size();
    }

    private void scan(String s) {
        int i = 0;
        int n = s.length();
        char before = '(';
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (s.startsWith("//", i)) {
                i = lineEnd(s, i);
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (c == '"' || c == '\'') {
                int end = quoteEnd(s, i);
                if (c == '"') {
                    String text = s.substring(i + 1, end - 1);
                    strings.add(text);
                    longestUtf8 = Math.max(longestUtf8, text.getBytes(StandardCharsets.UTF_8).length);
                }
                i = end;
                before = 'x';
            } else if (Character.isJavaIdentifierStart(c)) {
                int end = i + 1;
                while (end < n && Character.isJavaIdentifierPart(s.charAt(end))) {
                    end++;
                }
                names.add(s.substring(i, end));
                longestUtf8 = Math.max(longestUtf8, end - i);
                i = end;
                before = 'x';
            } else if (Character.isDigit(c) || c == '.' && i + 1 < n && Character.isDigit(s.charAt(i + 1))) {
                int end = i + 1;
                while (end < n && (Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '.'
                        || (s.charAt(end) == '-' || s.charAt(end) == '+') && "eE".indexOf(s.charAt(end - 1)) >= 0
                        && !s.startsWith("0x", i))) {
                    end++;
                }
                number((before == '-' ? "-" : "") + s.substring(i, end));
                i = end;
                before = 'x';
            } else {
                // A minus is a sign when it follows an operator or an opening bracket, not a value.
                before = c == '-' && before != 'x' ? '-' : c == '-' ? 'x' : c == ')' || c == ']' ? 'x' : c;
                i++;
            }
        }
    }

    /** Counts a literal that needs a constant: what {@code iconst}, {@code bipush}, {@code sipush} and their like cannot push. */
    private void number(String literal) {
        String text = literal.toLowerCase(Locale.ROOT).replace("_", "");
        char suffix = text.charAt(text.length() - 1);
        boolean hex = text.startsWith("0x") || text.startsWith("-0x");
        if (suffix == 'l') {
            if (!text.equals("0l") && !text.equals("1l")) {
                wide.add(text);
            }
        } else if (suffix == 'f' && !hex) {
            double v = Double.parseDouble(text.substring(0, text.length() - 1));
            if (v != 0 && v != 1 && v != 2) {
                narrow.add(text);
            }
        } else if (!hex && (suffix == 'd' || text.contains(".") || text.contains("e"))) {
            double v = Double.parseDouble(suffix == 'd' ? text.substring(0, text.length() - 1) : text);
            if (v != 0 && v != 1) {
                wide.add(text);
            }
        } else {
            long v = hex ? Long.parseLong(text.replace("0x", ""), 16) : Long.parseLong(text);
            if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) {
                narrow.add(text);
            }
        }
    }

    private static int lineEnd(String s, int from) {
        int end = s.indexOf('\n', from);
        return end < 0 ? s.length() : end;
    }

    /** The index just past the literal that opens at {@code from}. */
    private static int quoteEnd(String s, int from) {
        char quote = s.charAt(from);
        int i = from + 1;
        while (i < s.length() && s.charAt(i) != quote) {
            i += s.charAt(i) == '\\' ? 2 : 1;
        }
        return Math.min(i + 1, s.length());
    }
}
