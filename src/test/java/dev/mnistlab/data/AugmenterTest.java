package dev.mnistlab.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AugmenterTest {

    static final int S = 28;
    static final int N = S * S;

    static float[] digitLike(long seed) {
        float[] img = new float[N];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < N; i++) {
            img[i] = r.nextInt(3) == 0 ? (float) r.nextDouble() : 0f;
        }
        return img;
    }

    @Test
    void noneIsExactCopyAndWritesOnlyItsSlot() {
        float[] src = new float[3 * N];
        System.arraycopy(digitLike(1), 0, src, N, N);
        float[] dst = new float[3 * N];
        Arrays.fill(dst, -7f);

        Augmenter none = new Augmenter(Augmentation.NONE, S, S);
        none.apply(none.draw(new SplittableRandom(1)), src, N, dst, N);

        assertThat(Arrays.copyOfRange(dst, N, 2 * N)).isEqualTo(Arrays.copyOfRange(src, N, 2 * N));
        assertThat(Arrays.copyOfRange(dst, 0, N)).containsOnly(-7f);
        assertThat(Arrays.copyOfRange(dst, 2 * N, 3 * N)).containsOnly(-7f);
    }

    @Test
    void zeroWarpIsBitwiseIdentity() {
        float[] src = digitLike(2);
        float[] dst = new float[N];
        new Augmenter(Augmentation.NONE, S, S).warp(src, 0, dst, 0, 0, 0, 0, 1, 0);
        assertThat(dst).isEqualTo(src);

        // An enabled augmentation whose rotation range is 0 draws angle 0: still exact when nothing else is on.
        Augmentation rot0 = Augmentation.of(0.0, null, null, null, null, null, null, null);
        assertThat(rot0.isNone()).isTrue();
        Augmentation tinyShift = Augmentation.of(null, 0.01, null, null, null, null, null, null); // rounds to 0 px
        Augmenter shift = new Augmenter(tinyShift, S, S);
        shift.apply(shift.draw(new SplittableRandom(3)), src, 0, dst, 0);
        assertThat(dst).isEqualTo(src);
    }

    @Test
    void rotating90TurnsHorizontalBarVertical() {
        float[] src = new float[N];
        for (int c = 4; c < 24; c++) {
            src[14 * S + c] = 1f;
        }
        float[] dst = new float[N];

        new Augmenter(Augmentation.NONE, S, S).warp(src, 0, dst, 0, 90, 0, 0, 1, 0);

        // Pixel centres sit at i + 0.5 and the centre at 14, so row 14 maps onto column 13, rows 4..23.
        for (int r = 0; r < S; r++) {
            for (int c = 0; c < S; c++) {
                float expected = c == 13 && r >= 4 && r < 24 ? 1f : 0f;
                assertThat(dst[r * S + c]).as("r=%d c=%d", r, c).isCloseTo(expected, within(1e-5f));
            }
        }
    }

    @Test
    void nearestSamplingOnlyCopiesSourceValues() {
        float[] src = new float[N];
        for (int i = 0; i < N; i++) {
            src[i] = (i % 7) / 6f;
        }
        float[] dst = new float[N];
        Augmentation nearest = Augmentation.of(15.0, 0.1, 0.9, 1.1, null, null, null, "nearest");
        new Augmenter(nearest, S, S).warp(src, 0, dst, 0, 12.3, 1, -2, 1.07, 0);
        java.util.Set<Float> allowed = new java.util.HashSet<>();
        for (float v : src) {
            allowed.add(v);
        }
        allowed.add(0f);
        for (float v : dst) {
            assertThat(allowed).contains(v);
        }
        assertThatThrownBy(() -> Augmentation.of(5.0, null, null, null, null, null, null, "cubic"))
                .hasMessageContaining("interpolation");
    }

    @Test
    void translationMovesPixels() {
        float[] src = new float[N];
        src[5 * S + 5] = 1f;
        float[] dst = new float[N];
        Augmenter aug = new Augmenter(Augmentation.NONE, S, S);

        aug.warp(src, 0, dst, 0, 0, 2, 0, 1, 0);
        assertThat(dst[5 * S + 7]).isEqualTo(1f);
        assertThat(sum(dst)).isEqualTo(1f);

        aug.warp(src, 0, dst, 0, 0, 0, -3, 1, 0);
        assertThat(dst[2 * S + 5]).isEqualTo(1f);
        assertThat(sum(dst)).isEqualTo(1f);

        aug.warp(src, 0, dst, 0, 0, -10, 0, 1, 0); // off the left edge: zero fill
        assertThat(sum(dst)).isZero();
    }

    @Test
    void scaleTwoGrowsAboutCentre() {
        float[] src = new float[N];
        src[14 * S + 14] = 1f; // centre at (14.5, 14.5), 0.5 px from the image centre
        float[] dst = new float[N];
        new Augmenter(Augmentation.NONE, S, S).warp(src, 0, dst, 0, 0, 0, 0, 2, 0);
        assertThat(sum(dst)).isCloseTo(4f, within(1e-4f)); // area grows by scale^2
        assertThat(dst[15 * S + 15]).isGreaterThan(0.5f);
    }

    @Test
    void sameSeedSameOutputAndOutputStaysInUnitRange() {
        Augmentation a = new Augmentation(15, 0.1, 0.9, 1.1, 10, 0.5, 0.5);
        Augmenter aug = new Augmenter(a, S, S);
        float[] src = digitLike(4);
        float[] x = new float[N];
        float[] y = new float[N];
        float[] z = new float[N];

        aug.apply(aug.draw(new SplittableRandom(42)), src, 0, x, 0);
        aug.apply(aug.draw(new SplittableRandom(42)), src, 0, y, 0);
        aug.apply(aug.draw(new SplittableRandom(43)), src, 0, z, 0);

        assertThat(x).isEqualTo(y);
        assertThat(x).isNotEqualTo(z);
        SplittableRandom rng = new SplittableRandom(7);
        for (int i = 0; i < 200; i++) {
            aug.apply(aug.draw(rng), src, 0, x, 0);
            for (float v : x) {
                assertThat(v).isBetween(0f, 1f);
            }
        }
    }

    @Test
    void brightnessAndContrastStayInUnitRange() {
        Augmenter aug = new Augmenter(new Augmentation(0, 0, 1, 1, 0, 3, 3), S, S);
        float[] src = digitLike(5);
        float[] dst = new float[N];
        SplittableRandom rng = new SplittableRandom(9);
        boolean changed = false;
        for (int i = 0; i < 100; i++) {
            aug.apply(aug.draw(rng), src, 0, dst, 0);
            for (float v : dst) {
                assertThat(v).isBetween(0f, 1f);
            }
            changed |= !Arrays.equals(dst, src);
        }
        assertThat(changed).isTrue();
    }

    @Test
    void jsonUsesSnakeCaseAndDefaults() throws Exception {
        ObjectMapper om = new ObjectMapper();

        Augmentation a = om.readValue("{\"rotation\": 10, \"scale_max\": 1.2, \"contrast\": null}", Augmentation.class);
        assertThat(a).isEqualTo(new Augmentation(10, 0, 1, 1.2, 0, 0, 0));
        assertThat(om.readValue("{}", Augmentation.class)).isEqualTo(Augmentation.NONE);

        String json = om.writeValueAsString(a);
        assertThat(json).contains("\"scale_min\":1.0", "\"scale_max\":1.2").doesNotContain("none", "scaleMin");
        assertThat(om.readValue(json, Augmentation.class)).isEqualTo(a);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new Augmentation(0, 0, 1.2, 1.1, 0, 0, 0)).hasMessageContaining("scale_min");
        assertThatThrownBy(() -> new Augmentation(-5, 0, 1, 1, 0, 0, 0)).hasMessageContaining("rotation is -5.0");
        assertThatThrownBy(() -> new Augmentation(0, 2, 1, 1, 0, 0, 0)).hasMessageContaining("translate");
    }

    private static float sum(float[] a) {
        float s = 0;
        for (float v : a) {
            s += v;
        }
        return s;
    }
}
