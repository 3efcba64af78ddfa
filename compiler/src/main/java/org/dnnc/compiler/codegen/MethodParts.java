package org.dnnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * Long runs of generated statements as calls of private helper methods. The JVM refuses a method
 * of more than 64 KB of bytecode (javac: "code too large"), and HotSpot does not compile one of more
 * than 8,000 bytes, so the statements of a deep network (a kernel call or a view per layer) cannot
 * all sit in one method.
 *
 * <p>Parts are measured in characters of source, which bounds their bytecode: a generated statement
 * compiles to fewer bytes than it has characters (each name becomes a two-byte constant-pool index),
 * so a part of at most {@link #MAX_CHARS} characters is far below 64 KB. Measured on a 1,000-layer
 * chain: about 4,200 bytes for a part of a step's kernel calls, 9,200 for the shortest statements
 * (parameter copies). Helpers are named {@code method$1}, {@code method$2}, ...: no name in a {@code
 * .dnn} file contains a {@code $}.
 */
final class MethodParts {
    /** The most characters of statements one method holds inline; a longer run is split into helpers. */
    static final int MAX_CHARS = 16_000;

    private final String name;
    private final List<ParameterSpec> parameters = new ArrayList<>();
    private TypeName returns = TypeName.VOID;
    private String returned;
    private boolean isStatic;
    private TypeName exception;

    /** Helpers named after {@code method}: {@code method$1}, {@code method$2}, ... */
    MethodParts(String method) {
        this.name = method;
    }

    /** A parameter of every helper, passed on by the caller under the same name. */
    MethodParts parameter(TypeName type, String parameter) {
        parameters.add(ParameterSpec.builder(type, parameter).build());
        return this;
    }

    /** A local variable that every helper takes, may assign and returns, and the caller assigns again. */
    MethodParts threading(TypeName type, String local) {
        parameter(type, local);
        this.returns = type;
        this.returned = local;
        return this;
    }

    /** A checked exception that the statements may throw, as the caller does. */
    MethodParts throwing(TypeName thrown) {
        this.exception = thrown;
        return this;
    }

    /** Helpers that use no instance state. */
    MethodParts asStatic() {
        this.isStatic = true;
        return this;
    }

    /** Whether statements this long fit one method. */
    static boolean fit(List<CodeBlock> statements) {
        return chars(statements) <= MAX_CHARS;
    }

    /**
     * The statements themselves when they fit one method; else they go to helpers added to {@code
     * type}, and the result calls them in order.
     */
    CodeBlock inline(TypeSpec.Builder type, List<CodeBlock> statements) {
        if (fit(statements)) {
            return CodeBlock.join(statements, "");
        }
        CodeBlock.Builder calls = CodeBlock.builder();
        String arguments = parameters.stream().map(p -> p.name()).collect(Collectors.joining(", "));
        int index = 1;
        for (List<CodeBlock> part : split(statements)) {
            String helper = name + "$" + index++;
            MethodSpec.Builder m = MethodSpec.methodBuilder(helper).addModifiers(Modifier.PRIVATE).returns(returns)
                    .addParameters(parameters);
            if (isStatic) {
                m.addModifiers(Modifier.STATIC);
            }
            if (exception != null) {
                m.addException(exception);
            }
            part.forEach(m::addCode);
            if (returned != null) {
                m.addStatement("return $L", returned);
                calls.addStatement("$L = $L($L)", returned, helper, arguments);
            } else {
                calls.addStatement("$L($L)", helper, arguments);
            }
            type.addMethod(m.build());
        }
        return calls.build();
    }

    /** Consecutive runs of at most {@link #MAX_CHARS} characters; a longer statement is a run of its own. */
    static List<List<CodeBlock>> split(List<CodeBlock> statements) {
        List<List<CodeBlock>> parts = new ArrayList<>();
        List<CodeBlock> part = new ArrayList<>();
        int size = 0;
        for (CodeBlock s : statements) {
            int length = s.toString().length();
            if (!part.isEmpty() && size + length > MAX_CHARS) {
                parts.add(part);
                part = new ArrayList<>();
                size = 0;
            }
            part.add(s);
            size += length;
        }
        if (!part.isEmpty()) {
            parts.add(part);
        }
        return parts;
    }

    private static long chars(List<CodeBlock> statements) {
        long total = 0;
        for (CodeBlock s : statements) {
            total += s.toString().length();
            if (total > MAX_CHARS) {
                break;
            }
        }
        return total;
    }
}
