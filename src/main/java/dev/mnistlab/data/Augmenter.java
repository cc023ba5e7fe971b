package dev.mnistlab.data;

import java.util.SplittableRandom;

/**
 * Applies an {@link Augmentation} to one image at a time: one inverse affine map about the image centre with
 * bilinear sampling and zero fill (torchvision's F.affine geometry), then brightness and contrast.
 * Holds no mutable state: one instance can serve several threads, each with its own random generator.
 */
public final class Augmenter {

    private final Augmentation a;
    private final int rows;
    private final int cols;
    private final boolean nearest;

    public Augmenter(Augmentation a, int rows, int cols) {
        this.a = a;
        this.nearest = Augmentation.NEAREST.equals(a.interpolation());
        this.rows = rows;
        this.cols = cols;
    }

    /** One image's random distortion: everything {@link #apply} needs. */
    public record Distortion(double angle, double tx, double ty, double scale, double shear, float bright, float contrast) {}

    /**
     * Draws one image's distortion: always seven numbers from {@code rng}, so a seed fixes the result; cheap,
     * so it can stay on one thread.
     */
    public Distortion draw(SplittableRandom rng) {
        double angle = uniform(rng, -a.rotation(), a.rotation());
        // torchvision rounds the translation to whole pixels.
        double tx = Math.round(uniform(rng, -a.translate() * cols, a.translate() * cols));
        double ty = Math.round(uniform(rng, -a.translate() * rows, a.translate() * rows));
        double scale = uniform(rng, a.scaleMin(), a.scaleMax());
        double shear = uniform(rng, -a.shear(), a.shear());
        double bright = uniform(rng, Math.max(0, 1 - a.brightness()), 1 + a.brightness());
        double contr = uniform(rng, Math.max(0, 1 - a.contrast()), 1 + a.contrast());
        return new Distortion(angle, tx, ty, scale, shear, (float) bright, (float) contr);
    }

    /** The pixel work of a drawn distortion; a pure function, so any thread may run it. */
    public void apply(Distortion d, float[] src, int srcOffset, float[] dst, int dstOffset) {
        warp(src, srcOffset, dst, dstOffset, d.angle(), d.tx(), d.ty(), d.scale(), d.shear());
        jitter(dst, dstOffset, d.bright(), d.contrast());
    }

    /**
     * Forward map: scale, shear along x by {@code shearDeg}, rotate by {@code angleDeg} (clockwise on screen,
     * y pointing down, as torchvision's F.affine), then translate by (tx, ty) pixels; all about the image centre.
     * Each output pixel centre is mapped back into the source and sampled bilinearly; outside is 0.
     */
    public void warp(float[] src, int off, float[] dst, int doff,
                     double angleDeg, double tx, double ty, double scale, double shearDeg) {
        double rot = Math.toRadians(angleDeg);
        double sx = Math.toRadians(shearDeg);
        // Inverse of R*Sh*S, as torchvision's _get_inverse_affine_matrix with shear_y = 0.
        double ma = Math.cos(rot);
        double mb = -Math.cos(rot) * Math.tan(sx) - Math.sin(rot);
        double mc = Math.sin(rot);
        double md = -Math.sin(rot) * Math.tan(sx) + Math.cos(rot);
        double i00 = md / scale, i01 = -mb / scale, i10 = -mc / scale, i11 = ma / scale;
        double hw = cols * 0.5, hh = rows * 0.5;
        for (int r = 0; r < rows; r++) {
            // Output pixel centre (c + 0.5, r + 0.5) relative to the image centre, minus the translation.
            double y = r + 0.5 - hh - ty;
            double x0 = 0.5 - hw - tx;
            // Source position in index space (pixel centre at integer i) for column 0; then step per column.
            double u = i00 * x0 + i01 * y + hw - 0.5;
            double v = i10 * x0 + i11 * y + hh - 0.5;
            int o = doff + r * cols;
            for (int c = 0; c < cols; c++, u += i00, v += i10) {
                dst[o + c] = sample(src, off, u, v);
            }
        }
    }

    private float sample(float[] src, int off, double u, double v) {
        if (nearest) {
            return at(src, off, (int) Math.floor(v + 0.5), (int) Math.floor(u + 0.5));
        }
        int c0 = (int) Math.floor(u);
        int r0 = (int) Math.floor(v);
        if (c0 < -1 || r0 < -1 || c0 >= cols || r0 >= rows) {
            return 0f;
        }
        float fx = (float) (u - c0);
        float fy = (float) (v - r0);
        float p00 = at(src, off, r0, c0);
        float p01 = at(src, off, r0, c0 + 1);
        float p10 = at(src, off, r0 + 1, c0);
        float p11 = at(src, off, r0 + 1, c0 + 1);
        // With fx = fy = 0 this is exactly p00, which keeps an identity warp bitwise exact.
        return (1 - fy) * ((1 - fx) * p00 + fx * p01) + fy * ((1 - fx) * p10 + fx * p11);
    }

    private float at(float[] src, int off, int r, int c) {
        return r < 0 || c < 0 || r >= rows || c >= cols ? 0f : src[off + r * cols + c];
    }

    private void jitter(float[] img, int off, float bright, float contr) {
        int n = rows * cols;
        if (bright != 1f) {
            for (int i = off; i < off + n; i++) {
                img[i] = Math.min(1f, img[i] * bright);
            }
        }
        if (contr != 1f) {
            float sum = 0;
            for (int i = off; i < off + n; i++) {
                sum += img[i];
            }
            float mean = sum / n;
            for (int i = off; i < off + n; i++) {
                img[i] = Math.max(0f, Math.min(1f, mean + contr * (img[i] - mean)));
            }
        }
    }

    private static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo + (hi - lo) * rng.nextDouble();
    }
}
