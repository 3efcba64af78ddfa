package org.dnnc.tools.plot;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.dnnc.runtime.io.AtomicFile;

/**
 * Line charts of training, side by side in panels, written as SVG or PNG by the file's extension.
 *
 * @param panels the panels, left to right
 */
public record Chart(List<Panel> panels) {
    private static final int PANEL_WIDTH = 460;
    private static final int HEIGHT = 370;
    private static final double LEFT = 64;
    private static final double RIGHT = 16;
    private static final double TOP = 34;
    private static final double BOTTOM = 76;
    private static final String AXIS = "#444444";
    private static final String GRID = "#e6e6e6";

    public Chart {
        panels = List.copyOf(panels);
    }

    /**
     * One data series: points with a NaN or infinite y are left out.
     *
     * @param name the legend's text, also the SVG polyline's {@code data-series}
     */
    public record Series(String name, String color, double width, double[] xs, double[] ys) {}

    /**
     * One plot.
     *
     * @param logX whether the x axis is logarithmic (then every x must be positive)
     * @param yRange the y axis's range {@code [low, high]}, points outside drawn at its edge; {@code null} to fit the data
     * @param markerX an x to mark with a dashed vertical line, or NaN
     * @param markerLabel the marker's text
     */
    public record Panel(String title, String xLabel, String yLabel, boolean logX, List<Series> series, double[] yRange,
            double markerX, String markerLabel) {
        public Panel {
            series = List.copyOf(series);
        }
    }

    /**
     * Writes the chart to {@code file}, replacing it atomically: SVG for a name ending in {@code .svg},
     * PNG for {@code .png}.
     *
     * @throws IllegalArgumentException for another extension
     */
    public void write(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        byte[] bytes;
        if (name.endsWith(".svg")) {
            SvgCanvas svg = new SvgCanvas(width(), HEIGHT);
            draw(svg);
            bytes = svg.document().getBytes(StandardCharsets.UTF_8);
        } else if (name.endsWith(".png")) {
            ImageCanvas image = new ImageCanvas(width(), HEIGHT);
            draw(image);
            bytes = png(image.image());
        } else {
            throw new IllegalArgumentException(file + ": a plot is written as .svg or .png, by its extension");
        }
        ByteBuffer content = ByteBuffer.wrap(bytes);
        AtomicFile.write(file, out -> {
            while (content.hasRemaining()) {
                out.write(content);
            }
        });
    }

    /** The chart as an SVG document. */
    public String svg() {
        SvgCanvas svg = new SvgCanvas(width(), HEIGHT);
        draw(svg);
        return svg.document();
    }

    private int width() {
        return PANEL_WIDTH * panels.size();
    }

    private static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", out)) {
            throw new IOException("this Java runtime has no PNG writer");
        }
        return out.toByteArray();
    }

    private void draw(Canvas canvas) {
        canvas.rect(0, 0, width(), HEIGHT, "#ffffff", "#ffffff");
        for (int p = 0; p < panels.size(); p++) {
            drawPanel(canvas, panels.get(p), p * PANEL_WIDTH);
        }
    }

    private static void drawPanel(Canvas canvas, Panel panel, double offset) {
        double left = offset + LEFT;
        double right = offset + PANEL_WIDTH - RIGHT;
        double top = TOP;
        double bottom = HEIGHT - BOTTOM;
        Axis x = Axis.fit(panel.series(), true, panel.logX(), null);
        Axis y = Axis.fit(panel.series(), false, false, panel.yRange());
        canvas.text((left + right) / 2, 20, panel.title(), 14, Canvas.Anchor.MIDDLE, "#000000");
        for (double tick : y.ticks()) {
            double py = y.toPixel(tick, bottom, top);
            canvas.line(left, py, right, py, GRID, 1, false);
            canvas.text(left - 6, py + 4, y.label(tick), 11, Canvas.Anchor.END, AXIS);
        }
        for (double tick : x.ticks()) {
            double px = x.toPixel(tick, left, right);
            canvas.line(px, top, px, bottom, GRID, 1, false);
            canvas.text(px, bottom + 16, x.label(tick), 11, Canvas.Anchor.MIDDLE, AXIS);
        }
        canvas.rect(left, top, right - left, bottom - top, AXIS, "none");
        canvas.text((left + right) / 2, bottom + 34, panel.xLabel(), 12, Canvas.Anchor.MIDDLE, AXIS);
        canvas.text(offset + 8, 20, panel.yLabel(), 11, Canvas.Anchor.START, AXIS);
        // The legend goes under the axis, in a row, where it hides no data.
        double legendX = left;
        double legendY = HEIGHT - 10;
        for (Series s : panel.series()) {
            List<double[]> points = new ArrayList<>();
            for (int i = 0; i < s.xs().length; i++) {
                if (Double.isFinite(s.ys()[i]) && Double.isFinite(s.xs()[i]) && (!panel.logX() || s.xs()[i] > 0)) {
                    points.add(new double[] {x.toPixel(s.xs()[i], left, right),
                            y.toPixel(y.clamp(s.ys()[i]), bottom, top)});
                }
            }
            canvas.polyline(s.name(), points.stream().mapToDouble(q -> q[0]).toArray(),
                    points.stream().mapToDouble(q -> q[1]).toArray(), s.color(), s.width());
            canvas.line(legendX, legendY - 4, legendX + 20, legendY - 4, s.color(), 2.5, false);
            canvas.text(legendX + 26, legendY, s.name(), 11, Canvas.Anchor.START, AXIS);
            legendX += 40 + 7 * s.name().length();
        }
        if (Double.isFinite(panel.markerX())) {
            double px = x.toPixel(panel.markerX(), left, right);
            canvas.line(px, top, px, bottom, "#2ca02c", 1.5, true);
            canvas.text(px + 4, bottom - 8, panel.markerLabel(), 11, Canvas.Anchor.START, "#2ca02c");
        }
    }
}
