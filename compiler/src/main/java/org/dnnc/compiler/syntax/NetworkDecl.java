package org.dnnc.compiler.syntax;

import java.util.List;
import org.dnnc.compiler.diag.Span;

/** {@code network Name { members }}. */
public record NetworkDecl(Ident name, List<Member> members, Span span) {
    public NetworkDecl {
        members = List.copyOf(members);
    }
}
