package dev.mnistlab.report;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.data.Split;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/** A grid of wrongly classified test digits, each labelled "true -> predicted (confidence)". */
public final class MisclassifiedGrid {

    public static final int MAX = 64;
    private static final int COLUMNS = 8;
    private static final int SCALE = 3;
    private static final int LABEL = 18;
    private static final int PAD = 8;

    private MisclassifiedGrid() {}

    public static byte[] png(List<RunData.Prediction> mistakes, Split test, long totalWrong) {
        int cellW = test.cols() * SCALE + 2 * PAD + 16;
        int cellH = test.rows() * SCALE + LABEL + PAD;
        int columns = Math.max(1, Math.min(COLUMNS, mistakes.size()));
        int rows = Math.max(1, (mistakes.size() + COLUMNS - 1) / COLUMNS);
        int header = 30;
        BufferedImage image = new BufferedImage(Math.max(columns * cellW, 420), header + rows * cellH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, image.getWidth(), image.getHeight());
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(String.format(Locale.ROOT, "%,d of %,d test digits misclassified%s", totalWrong, test.count(),
                    totalWrong > mistakes.size() ? "; the " + mistakes.size() + " most confident shown" : ""), PAD, 20);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int i = 0; i < mistakes.size(); i++) {
                RunData.Prediction p = mistakes.get(i);
                int x = (i % COLUMNS) * cellW + PAD;
                int y = header + (i / COLUMNS) * cellH;
                g.drawImage(digit(test, p), x + 8, y, null);
                g.drawString(String.format(Locale.ROOT, "%d -> %d (%.2f)", p.label(), p.predicted(), p.confidence()),
                        x, y + test.rows() * SCALE + 14);
            }
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The digit as MNIST stores it (white on black), enlarged by pixel replication so strokes stay crisp. */
    private static BufferedImage digit(Split test, RunData.Prediction p) {
        if (p.index() < 0 || p.index() >= test.count()) {
            throw new MnistlabException("predictions.csv names test image " + p.index() + " but the test set has "
                    + test.count() + " images; the run used another data set");
        }
        if (test.label(p.index()) != p.label()) {
            throw new MnistlabException("predictions.csv says test image " + p.index() + " is a " + p.label()
                    + " but the MNIST test set says " + test.label(p.index()) + "; the run used another data set");
        }
        BufferedImage img = new BufferedImage(test.cols() * SCALE, test.rows() * SCALE, BufferedImage.TYPE_BYTE_GRAY);
        for (int r = 0; r < test.rows() * SCALE; r++) {
            for (int c = 0; c < test.cols() * SCALE; c++) {
                int v = test.pixel(p.index(), (r / SCALE) * test.cols() + c / SCALE);
                img.getRaster().setSample(c, r, 0, v);
            }
        }
        return img;
    }
}
