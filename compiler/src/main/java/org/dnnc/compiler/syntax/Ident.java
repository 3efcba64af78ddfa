package org.dnnc.compiler.syntax;

import org.dnnc.compiler.diag.Span;

/** An identifier as written, with its place. */
public record Ident(String text, Span span) {}
