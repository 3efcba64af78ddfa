package org.dnnc.compiler.sema;

import java.util.Set;
import javax.lang.model.SourceVersion;
import org.dnnc.compiler.diag.Diagnostic;
import org.dnnc.compiler.diag.Diagnostics;
import org.dnnc.compiler.syntax.Ident;
import org.dnnc.compiler.syntax.QualifiedName;

/**
 * The names a file gives the Java API of its generated classes: the package, and the class named
 * after each network. Users write them in Java code, so they are never renamed; one that Java does
 * not accept there is an error at its position. Every other name of a network (inputs, values,
 * outputs, parameters) reaches the generated code only as a string or inside a prefixed field name,
 * so any identifier of the language is safe there.
 */
public final class GeneratedClassNames {
    /** The generated class's nested builder, which the class cannot share its name with. */
    public static final String BUILDER = "Builder";

    /** The Java version of the generated code. */
    private static final SourceVersion JAVA = SourceVersion.RELEASE_17;

    private static final Set<String> LITERALS = Set.of("true", "false", "null");

    /** Contextual keywords that Java does not accept as the name of a type (JLS 17, 3.8 and 3.9). */
    private static final Set<String> RESTRICTED_TYPE_NAMES = Set.of("var", "yield", "record", "sealed", "permits");

    /** Java refuses to define classes in this package and below it. */
    private static final String PLATFORM_PACKAGE = "java";

    private GeneratedClassNames() {}

    /** Reports each part of the {@code package} line that Java does not accept in a package name. */
    static void checkPackage(QualifiedName pkg, Diagnostics diagnostics) {
        for (Ident part : pkg.parts()) {
            reject(part, "be part of the package name", "rename the package", diagnostics);
        }
        Ident first = pkg.parts().get(0);
        if (first.text().equals(PLATFORM_PACKAGE)) {
            diagnostics.report(Diagnostic.error(first.span(), "the package `" + PLATFORM_PACKAGE
                            + "` and those under it belong to the Java platform; no other classes can be defined there")
                    .withHint("use a package of your own, such as `org.example`"));
        }
    }

    /** Reports a network name that cannot name its generated class. */
    static void checkNetwork(Ident name, Diagnostics diagnostics) {
        if (reject(name, "name the generated class", "rename the network", diagnostics)) {
            return;
        }
        if (RESTRICTED_TYPE_NAMES.contains(name.text())) {
            diagnostics.report(Diagnostic.error(name.span(), "`" + name.text()
                    + "` is a contextual keyword of Java that cannot name a class").withHint("rename the network"));
        } else if (name.text().equals(BUILDER)) {
            diagnostics.report(Diagnostic.error(name.span(), "`" + BUILDER + "` cannot name the generated class: "
                    + "its nested builder class has that name, and a Java class cannot share the name of the class around it")
                    .withHint("rename the network"));
        }
    }

    /** Reports a keyword or literal of Java; whether it did. */
    private static boolean reject(Ident name, String use, String hint, Diagnostics diagnostics) {
        String text = name.text();
        if (!SourceVersion.isKeyword(text, JAVA)) {
            return false;
        }
        String kind = LITERALS.contains(text) ? "a Java literal" : "a Java keyword";
        diagnostics.report(Diagnostic.error(name.span(), "`" + text + "` is " + kind + " and cannot " + use)
                .withHint(hint));
        return true;
    }
}
