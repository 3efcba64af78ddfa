package org.dnnc.tools.plot;

import java.util.Locale;

/** A {@link Canvas} that writes SVG text; each data series is a {@code <polyline>} with a {@code data-series} name. */
final class SvgCanvas implements Canvas {
    private final StringBuilder body = new StringBuilder();
    private final int width;
    private final int height;

    SvgCanvas(int width, int height) {
        this.width = width;
        this.height = height;
    }

    @Override
    public void line(double x1, double y1, double x2, double y2, String color, double width, boolean dashed) {
        body.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\""
                + " stroke-width=\"%.1f\"%s/>%n", x1, y1, x2, y2, color, width,
                dashed ? " stroke-dasharray=\"6,4\"" : ""));
    }

    @Override
    public void polyline(String series, double[] xs, double[] ys, String color, double width) {
        body.append("<polyline data-series=\"").append(escape(series)).append("\" fill=\"none\" stroke=\"")
                .append(color).append(String.format(Locale.ROOT, "\" stroke-width=\"%.1f\" points=\"", width));
        for (int i = 0; i < xs.length; i++) {
            body.append(String.format(Locale.ROOT, i == 0 ? "%.1f,%.1f" : " %.1f,%.1f", xs[i], ys[i]));
        }
        body.append("\"/>\n");
    }

    @Override
    public void rect(double x, double y, double width, double height, String stroke, String fill) {
        body.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\""
                + " stroke=\"%s\" fill=\"%s\"/>%n", x, y, width, height, stroke, fill));
    }

    @Override
    public void text(double x, double y, String text, double size, Anchor anchor, String color) {
        body.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\" text-anchor=\"%s\""
                + " fill=\"%s\">", x, y, size, anchor.name().toLowerCase(Locale.ROOT), color))
                .append(escape(text)).append("</text>\n");
    }

    /** The whole document. */
    String document() {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                        + " viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">%n", width, height, width, height)
                + body + "</svg>\n";
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
