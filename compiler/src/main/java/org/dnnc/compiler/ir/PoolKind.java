package org.dnnc.compiler.ir;

/** How a pooling window is reduced. */
public enum PoolKind {
    MAX,
    AVG
}
