package dev.mnistlab.infer;

import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.MnistSource;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the inference tests share: a real finished run (seed001 trained 15 epochs, 99.42% on the MNIST test
 * set, shipped as test resources so no test has to train) and MNIST from the cache, as TrainingSmokeTest uses it.
 */
final class InferFixture {

    /** The shipped run's final test accuracy, from its metrics.csv. */
    static final int SHIPPED_CORRECT = 9942;

    private static MnistData mnist;

    private InferFixture() {}

    /** A copy of the shipped run folder under {@code dir}, so tests may alter it. */
    static Path shippedRun(Path dir) throws IOException {
        Path run = dir.resolve("seed001");
        Files.createDirectories(run);
        for (String name : new String[] {"experiment.yaml", "weights.params", "metrics.csv"}) {
            try (InputStream in = InferFixture.class.getResourceAsStream("/infer/seed001/" + name)) {
                Files.copy(in, run.resolve(name));
            }
        }
        return run;
    }

    static synchronized MnistData mnist() {
        if (mnist == null) {
            mnist = MnistSource.load(null, System.out::println);
        }
        return mnist;
    }

    /** A digit drawn with a font: {@code size} px glyphs on a canvas of {@code w x h}, the glyph's box at (x, y). */
    static BufferedImage render(char digit, Font font, Color ink, Color paper, int w, int h, int x, int y) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(paper);
        g.fillRect(0, 0, w, h);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(font);
        g.setColor(ink);
        g.drawString(String.valueOf(digit), x, y + g.getFontMetrics().getAscent());
        g.dispose();
        return image;
    }
}
