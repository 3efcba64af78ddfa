package org.dnnc.compiler.sema;

/** What kind of thing a registry name stands for. */
public enum Category {
    LAYER("layer"),
    LOSS("loss"),
    OPTIMIZER("optimizer"),
    SCHEDULE("learning-rate schedule"),
    INITIALIZER("initializer"),
    AUGMENTATION("augmentation"),
    SETTING("train setting"),
    DIRECTIVE("train directive");

    private final String words;

    Category(String words) {
        this.words = words;
    }

    /** How messages name the category: "unknown optimizer `adamw`". */
    public String words() {
        return words;
    }

    /** The words with their article: "an optimizer", "a loss". */
    public String withArticle() {
        return ("aeiou".indexOf(words.charAt(0)) >= 0 ? "an " : "a ") + words;
    }
}
