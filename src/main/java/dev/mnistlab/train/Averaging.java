package dev.mnistlab.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.mnistlab.MnistlabException;
import java.util.List;

/**
 * A recipe's {@code average:} block: whether the weights a run evaluates every epoch, checkpoints, saves and
 * exports are the trained ones or one average of them (one model, not an ensemble), as
 * {@code torch.optim.swa_utils.AveragedModel} keeps it. {@link WeightAverage} carries it out.
 * <ul>
 * <li>{@code none}: the trained weights.</li>
 * <li>{@code ema}: after every optimizer step avg = avg + (1 - decay) (w - avg), torch.lerp's formula, which
 * PyTorch's {@code get_ema_multi_avg_fn(decay)} applies; the first step copies the weights. BatchNorm's running
 * statistics are averaged the same way ({@code use_buffers=True}).</li>
 * <li>{@code swa}: at the end of every epoch from {@code start_epoch} on, the equal average of those epochs'
 * weights (AveragedModel's default avg_fn, avg = avg + (w - avg) / (n + 1)); BatchNorm's running statistics are
 * then re-estimated for the averaged weights on that epoch's training batches ({@code update_bn}). Before
 * {@code start_epoch} the trained weights are evaluated.</li>
 * </ul>
 *
 * @param kind       none, ema or swa
 * @param decay      ema's decay per optimizer step ({@value #DEFAULT_DECAY} when left out)
 * @param startEpoch swa's first averaged epoch (1-based)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Averaging(String kind, Double decay, Integer startEpoch) {

    public static final String NONE_KIND = "none";
    public static final String EMA = "ema";
    public static final String SWA = "swa";
    public static final double DEFAULT_DECAY = 0.999;

    /** The trained weights themselves. */
    public static final Averaging NONE = new Averaging(NONE_KIND, null, null);

    public Averaging {
        kind = kind == null ? NONE_KIND : kind;
        decay = EMA.equals(kind) && decay == null ? Double.valueOf(DEFAULT_DECAY) : decay;
    }

    /** An exponential moving average with {@code decay} per step. */
    public static Averaging ema(double decay) {
        return new Averaging(EMA, decay, null);
    }

    /** Stochastic weight averaging of the epochs from {@code startEpoch} on. */
    public static Averaging swa(int startEpoch) {
        return new Averaging(SWA, null, startEpoch);
    }

    public boolean averages() {
        return !NONE_KIND.equals(kind);
    }

    /** Refuses a block training cannot use, naming {@code where} and the key. */
    void validate(String where, int epochs) {
        if (!List.of(NONE_KIND, EMA, SWA).contains(kind)) {
            throw new MnistlabException(where + ": average.kind '" + kind + "' is not none, ema or swa");
        }
        if (decay != null && !EMA.equals(kind)) {
            throw new MnistlabException(where + ": average.decay belongs to kind ema, not " + kind);
        }
        if (startEpoch != null && !SWA.equals(kind)) {
            throw new MnistlabException(where + ": average.start_epoch belongs to kind swa, not " + kind);
        }
        if (EMA.equals(kind) && !(decay > 0 && decay < 1)) {
            throw new MnistlabException(where + ": average.decay must be above 0 and below 1 (got " + decay + ")");
        }
        if (SWA.equals(kind)) {
            if (startEpoch == null) {
                throw new MnistlabException(where + ": average kind swa needs start_epoch, the first epoch averaged "
                        + "(e.g. " + Math.max(1, epochs * 3 / 4) + " of " + epochs + ")");
            }
            if (startEpoch < 1 || startEpoch > epochs) {
                throw new MnistlabException(where + ": average.start_epoch must be from 1 to the recipe's " + epochs
                        + " epochs (got " + startEpoch + ")");
            }
        }
    }
}
