package dev.mnistlab.data;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.mnistlab.MnistlabException;

/**
 * Random training-time distortions, with torchvision's meaning: RandomAffine(degrees=rotation,
 * translate=(translate, translate), scale=(scale_min, scale_max), shear=shear) then
 * ColorJitter(brightness, contrast). A zero (or scale 1..1) switches that distortion off.
 */
public record Augmentation(
        @JsonProperty("rotation") double rotation,
        @JsonProperty("translate") double translate,
        @JsonProperty("scale_min") double scaleMin,
        @JsonProperty("scale_max") double scaleMax,
        @JsonProperty("shear") double shear,
        @JsonProperty("brightness") double brightness,
        @JsonProperty("contrast") double contrast,
        @JsonProperty("interpolation") String interpolation) {

    public static final String BILINEAR = "bilinear";
    public static final String NEAREST = "nearest";
    public static final Augmentation NONE = new Augmentation(0, 0, 1, 1, 0, 0, 0);

    /** Bilinear sampling, the smoother choice; torchvision's RandomAffine defaults to nearest. */
    public Augmentation(double rotation, double translate, double scaleMin, double scaleMax, double shear,
                        double brightness, double contrast) {
        this(rotation, translate, scaleMin, scaleMax, shear, brightness, contrast, BILINEAR);
    }

    public Augmentation {
        check("rotation", rotation, 0, 180);
        check("translate", translate, 0, 1);
        check("scale_min", scaleMin, 1e-3, 100);
        check("scale_max", scaleMax, 1e-3, 100);
        check("shear", shear, 0, 89);
        check("brightness", brightness, 0, 100);
        check("contrast", contrast, 0, 100);
        if (!BILINEAR.equals(interpolation) && !NEAREST.equals(interpolation)) {
            throw new MnistlabException("augmentation: interpolation is '" + interpolation
                    + "', expected bilinear or nearest");
        }
        if (scaleMin > scaleMax) {
            throw new MnistlabException("augmentation: scale_min " + scaleMin + " is above scale_max " + scaleMax
                    + "; swap them (1 and 1 means no scaling)");
        }
    }

    /** Absent or null settings take their "off" value, so a config can name only what it uses. */
    @JsonCreator
    public static Augmentation of(
            @JsonProperty("rotation") Double rotation,
            @JsonProperty("translate") Double translate,
            @JsonProperty("scale_min") Double scaleMin,
            @JsonProperty("scale_max") Double scaleMax,
            @JsonProperty("shear") Double shear,
            @JsonProperty("brightness") Double brightness,
            @JsonProperty("contrast") Double contrast,
            @JsonProperty("interpolation") String interpolation) {
        return new Augmentation(or(rotation, 0), or(translate, 0), or(scaleMin, 1), or(scaleMax, 1),
                or(shear, 0), or(brightness, 0), or(contrast, 0), interpolation == null ? BILINEAR : interpolation);
    }

    @JsonIgnore
    public boolean isNone() {
        return rotation == 0 && translate == 0 && scaleMin == 1 && scaleMax == 1 && shear == 0
                && brightness == 0 && contrast == 0;
    }

    private static double or(Double v, double dflt) {
        return v == null ? dflt : v;
    }

    private static void check(String name, double v, double min, double max) {
        if (!(v >= min && v <= max)) {
            throw new MnistlabException("augmentation: " + name + " is " + v + ", expected " + min + " to " + max
                    + "; fix it in the config");
        }
    }
}
