package org.dnnc.tools.plot;

/** What a {@link Chart} draws with, in pixels from the top left: an SVG document or an image. */
interface Canvas {
    /** Where a text's x coordinate lies: at its start, middle or end. */
    enum Anchor { START, MIDDLE, END }

    void line(double x1, double y1, double x2, double y2, String color, double width, boolean dashed);

    /** A line through the points of one data series, which {@code series} names (SVG keeps the name). */
    void polyline(String series, double[] xs, double[] ys, String color, double width);

    void rect(double x, double y, double width, double height, String stroke, String fill);

    void text(double x, double y, String text, double size, Anchor anchor, String color);
}
