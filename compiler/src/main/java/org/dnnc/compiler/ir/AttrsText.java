package org.dnnc.compiler.ir;

import java.util.stream.Collectors;

/** An op's attributes as dumps print them after its mnemonic: {@code {alpha=0.1}}, or nothing. */
final class AttrsText {
    private AttrsText() {}

    static String of(Op op) {
        if (op.attrs().isEmpty()) {
            return "";
        }
        return op.attrs().entrySet().stream()
                .map(e -> e.getKey() + "=" + AttrText.format(e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }
}
