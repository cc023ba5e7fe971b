package dev.mnistlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The averaged model of a run whose recipe averages (see {@link Averaging}), kept beside the trained one: an
 * array for every parameter of the model (weights, and BatchNorm's running statistics as the averaged model
 * has them), by parameter id. It is what the run evaluates, checkpoints (beside the trained weights and the
 * optimizer's state, so a resumed run continues exactly), saves and exports; {@link #swappedIn()} puts it
 * into the model for that.
 */
final class WeightAverage {

    /** The checkpoint's slot for the averaged model (see {@link #state()}). */
    static final String SLOT = "average";

    private final Averaging settings;
    private final List<Parameter> parameters = new ArrayList<>();
    private final Copies copies;
    private final NDManager manager;
    /** Empty until the first update (AveragedModel's n_averaged = 0). */
    private final Map<String, NDArray> averaged = new LinkedHashMap<>();

    /** The copies of the model that train beside it ({@link DataParallel}'s): what the average needs of them. */
    interface Copies {
        /** The model's array at {@code index} of its parameters averaged over all copies, a new array of {@code manager}. */
        NDArray meanOverCopies(int index, NDManager manager);

        /** Copies every array of the model into the copies. */
        void syncAll();
    }

    /**
     * @param net the model being trained (DataParallel's main model)
     * @param manager holds the averaged arrays for the whole run
     */
    WeightAverage(Averaging settings, Block net, Copies copies, NDManager manager) {
        this.settings = settings;
        this.copies = copies;
        this.manager = manager;
        for (Pair<String, Parameter> p : net.getParameters()) {
            parameters.add(p.getValue());
        }
    }

    /**
     * After every optimizer step: ema's update, avg + (1 - decay) * (w - avg) as torch.lerp computes it (for a
     * weight below 0.5), the first step a copy. The running statistics averaged are the model copies' mean
     * (the trained model's own with one copy), as the end of the epoch averages them.
     */
    void afterStep() {
        if (!Averaging.EMA.equals(settings.kind())) {
            return;
        }
        float weight = (float) (1 - settings.decay());
        withoutGradients(() -> {
            try (NDManager scratch = manager.newSubManager()) {
            for (int i = 0; i < parameters.size(); i++) {
                Parameter p = parameters.get(i);
                    NDArray current = p.requiresGradient() ? p.getArray() : copies.meanOverCopies(i, scratch);
                    NDArray avg = averaged.get(p.getId());
                    if (avg == null) {
                        keep(p, current);
                    } else {
                        try (NDArray step = current.sub(avg)) {
                            avg.addi(step.muli(weight));
                        }
                    }
                }
            }
        });
    }

    /** Whether the epoch that just ended joins swa's average. */
    boolean averagesEpoch(int epoch) {
        return Averaging.SWA.equals(settings.kind()) && epoch >= settings.startEpoch();
    }

    /**
     * At the end of an epoch {@link #averagesEpoch} names: swa's update of the weights, avg + (w - avg) / (n + 1)
     * with n epochs averaged before, the first a copy; BatchNorm's statistics are left to {@link BatchNormUpdate}
     * (see {@link #keepStatistics}).
     */
    void addEpoch(int epoch) {
        int before = epoch - settings.startEpoch();
        withoutGradients(() -> {
            for (Parameter p : parameters) {
                NDArray avg = averaged.get(p.getId());
                if (before == 0 || avg == null) {
                    keep(p, p.getArray());
                } else if (p.requiresGradient()) {
                    try (NDArray step = p.getArray().sub(avg)) {
                        avg.addi(step.divi(before + 1));
                    }
                }
            }
        });
    }

    /** While the average is swapped in: takes the model's BatchNorm statistics (just re-estimated) as the average's. */
    void keepStatistics() {
        withoutGradients(() -> {
            for (Parameter p : parameters) {
                if (!p.requiresGradient()) {
                    overwrite(averaged.get(p.getId()), p.getArray());
                }
            }
        });
    }

    private void keep(Parameter p, NDArray current) {
        NDArray copy = current.duplicate();
        copy.attach(manager);
        NDArray old = averaged.put(p.getId(), copy);
        if (old != null) {
            old.close();
        }
    }

    /** The averaged model by slot and parameter id, for the checkpoint (live: restoring puts arrays into it). */
    Map<String, Map<String, NDArray>> state() {
        return settings.averages() ? Map.of(SLOT, averaged) : Map.of();
    }

    /** Puts the trained arrays back; see {@link #swappedIn()}. */
    interface Swap extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Puts the averaged model into the model and its copies, when there is one yet (ema: after the first step;
     * swa: after start_epoch); closing the returned swap puts the trained arrays back.
     */
    Swap swappedIn() {
        if (averaged.isEmpty()) {
            return () -> { };
        }
        NDManager stash = manager.newSubManager();
        List<NDArray> trained = new ArrayList<>();
        withoutGradients(() -> {
            for (Parameter p : parameters) {
                NDArray copy = p.getArray().duplicate();
                copy.attach(stash);
                trained.add(copy);
                overwrite(p.getArray(), averaged.get(p.getId()));
            }
        });
        copies.syncAll();
        return () -> {
            withoutGradients(() -> {
                for (int i = 0; i < parameters.size(); i++) {
                    overwrite(parameters.get(i).getArray(), trained.get(i));
                }
            });
            stash.close();
            copies.syncAll();
        };
    }

    /** In place, so the array stays the one the block (and its gradient wiring) was built with. */
    static void overwrite(NDArray target, NDArray value) {
        target.muli(0).addi(value);
    }

    /** Runs {@code arithmetic} with libtorch's autograd off on this thread, so no graph links the averages to the weights. */
    static void withoutGradients(Runnable arithmetic) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            arithmetic.run();
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }
}
