package org.dnnc.compiler.ir;

import java.util.List;

/**
 * A graph is malformed. This is a compiler bug, not a user error, hence unchecked; the message lists
 * every problem found, not just the first.
 */
public final class IrVerificationException extends RuntimeException {

    private final List<String> problems;

    public IrVerificationException(String graphName, List<String> problems) {
        super("graph " + graphName + " is malformed:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
