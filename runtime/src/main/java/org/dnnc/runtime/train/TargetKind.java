package org.dnnc.runtime.train;

/** What a network is trained to reproduce, which decides the data it needs. */
public enum TargetKind {
    /** A class index per example ({@code input label: int}, cross-entropy): a data set with labels. */
    LABELS,
    /** Float targets per example (regression), one of the network's {@link TrainableNetwork#targets()}. */
    TARGETS,
    /** The input itself (autoencoders): any data set of the right input shape; its labels or targets are unused. */
    INPUT
}
