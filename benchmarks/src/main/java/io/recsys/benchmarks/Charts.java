package io.recsys.benchmarks;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** A PNG of one load run over time: p99 latency, offered and served rate, and the share of each depth. */
final class Charts {

    private static final Color[] DEPTH_COLOURS = {
        new Color(46, 125, 50), new Color(249, 168, 37), new Color(239, 108, 0), new Color(198, 40, 40)
    };
    private static final int WIDTH = 1000;
    private static final int PANEL = 200;
    private static final int LEFT = 70;
    private static final int TOP = 40;

    private Charts() {}

    static void write(Path file, String title, List<OpenLoad.Second> seconds) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int height = TOP + 3 * (PANEL + 40);
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, LEFT, 24);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        int n = seconds.size();
        int plotWidth = WIDTH - LEFT - 30;

        double maxP99 = Math.max(
                1,
                seconds.stream()
                        .mapToDouble(
                                s -> s.latency.getTotalCount() == 0 ? 0 : s.latency.getValueAtPercentile(99) / 1000.0)
                        .max()
                        .orElse(1));
        int y0 = TOP;
        axes(g, y0, "p99 latency, ms (max " + Math.round(maxP99) + ")", n, plotWidth);
        line(
                g,
                seconds.stream()
                        .mapToDouble(
                                s -> s.latency.getTotalCount() == 0 ? 0 : s.latency.getValueAtPercentile(99) / 1000.0)
                        .toArray(),
                maxP99,
                y0,
                plotWidth,
                Color.BLUE);

        double maxRate = Math.max(
                1, seconds.stream().mapToDouble(s -> s.offered.get()).max().orElse(1));
        y0 += PANEL + 40;
        axes(
                g,
                y0,
                "requests/s: offered (grey), served (green), errors (red); max " + Math.round(maxRate),
                n,
                plotWidth);
        line(g, seconds.stream().mapToDouble(s -> s.offered.get()).toArray(), maxRate, y0, plotWidth, Color.GRAY);
        line(
                g,
                seconds.stream().mapToDouble(s -> s.served.get()).toArray(),
                maxRate,
                y0,
                plotWidth,
                new Color(46, 125, 50));
        line(g, seconds.stream().mapToDouble(s -> s.errors.get()).toArray(), maxRate, y0, plotWidth, Color.RED);

        y0 += PANEL + 40;
        axes(g, y0, "share of answers per depth: full, reduced, minimal, fallback", n, plotWidth);
        for (int i = 0; i < n; i++) {
            OpenLoad.Second s = seconds.get(i);
            long total = s.served.get();
            if (total == 0) {
                continue;
            }
            int x = LEFT + i * plotWidth / n;
            int w = Math.max(1, plotWidth / n);
            int y = y0 + PANEL;
            for (int d = 0; d < OpenLoad.DEPTHS.length; d++) {
                long count = s.depths
                        .getOrDefault(OpenLoad.DEPTHS[d], new java.util.concurrent.atomic.AtomicLong())
                        .get();
                int h = (int) Math.round(PANEL * count / (double) total);
                g.setColor(DEPTH_COLOURS[d]);
                g.fillRect(x, y - h, w, h);
                y -= h;
            }
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static void axes(Graphics2D g, int y0, String label, int seconds, int plotWidth) {
        g.setColor(Color.BLACK);
        g.drawString(label, LEFT, y0 - 6);
        g.drawRect(LEFT, y0, plotWidth, PANEL);
        for (int s = 0; s <= seconds; s += 10) {
            int x = LEFT + s * plotWidth / Math.max(1, seconds);
            g.drawString(s + "s", x - 8, y0 + PANEL + 14);
        }
    }

    private static void line(Graphics2D g, double[] values, double max, int y0, int plotWidth, Color colour) {
        g.setColor(colour);
        g.setStroke(new BasicStroke(2f));
        for (int i = 1; i < values.length; i++) {
            int x1 = LEFT + (i - 1) * plotWidth / values.length;
            int x2 = LEFT + i * plotWidth / values.length;
            g.drawLine(
                    x1,
                    y0 + PANEL - (int) (PANEL * values[i - 1] / max),
                    x2,
                    y0 + PANEL - (int) (PANEL * values[i] / max));
        }
        g.setStroke(new BasicStroke(1f));
    }
}
