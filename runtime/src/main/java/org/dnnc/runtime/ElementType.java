package org.dnnc.runtime;

/** What one element of a network's input or output is: what the {@code .dnn} file declares as {@code float} or {@code int}. */
public enum ElementType {
    /** 32-bit floats: images, features, regression targets, every output. */
    FLOAT32("float"),
    /** 32-bit ints: class labels, token ids, sequence lengths. */
    INT32("int");

    private final String keyword;

    ElementType(String keyword) {
        this.keyword = keyword;
    }

    /** The type's name in the {@code .dnn} language: {@code float} or {@code int}. */
    public String keyword() {
        return keyword;
    }
}
