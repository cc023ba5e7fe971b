package dev.mnistlab.train.schedule;

import dev.mnistlab.MnistlabException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Turns a recipe's {@link ScheduleConfig} into a validated {@link Schedule}, with PyTorch's defaults. */
public final class Schedules {

    private static final String VALID_NAMES = "constant, step (alias steplr), multistep, onecycle";

    // Settings each schedule understands; anything else set in the block is almost certainly a mistake
    // (e.g. milestones under a step schedule) and would otherwise be silently ignored.
    private static final Map<String, Set<String>> KEYS = Map.of(
            "constant", Set.of(),
            "step", Set.of("step_size", "gamma"),
            "multistep", Set.of("milestones", "gamma"),
            "onecycle", Set.of("max_lr", "pct_start", "div_factor", "final_div_factor", "anneal",
                    "three_phase", "cycle_momentum", "base_momentum", "max_momentum"));

    private Schedules() {
    }

    /**
     * @param baseLr        the optimizer's lr (recipe-validated by the caller); onecycle uses it as max_lr if absent
     * @param stepsPerEpoch optimizer updates per epoch
     * @param epochs        epochs to train; onecycle spans exactly epochs * stepsPerEpoch steps
     */
    public static Schedule create(ScheduleConfig cfg, double baseLr, int stepsPerEpoch, int epochs) {
        return build(cfg, baseLr, stepsPerEpoch, epochs, true);
    }

    /**
     * Checks a schedule's settings where the steps per epoch are not known yet (a recipe being read): all
     * but OneCycle's warm-up end, which depends on them; {@link #create} at training start checks that too.
     */
    public static void validate(ScheduleConfig cfg, double baseLr, int epochs) {
        build(cfg, baseLr, 1, epochs, false);
    }

    private static Schedule build(ScheduleConfig cfg, double baseLr, int stepsPerEpoch, int epochs, boolean stepsKnown) {
        // These come from the caller, not the schedule block, so a bad value is a programming error.
        if (!(baseLr > 0) || stepsPerEpoch < 1 || epochs < 1) {
            throw new IllegalArgumentException("need baseLr > 0, stepsPerEpoch >= 1, epochs >= 1; got "
                    + baseLr + ", " + stepsPerEpoch + ", " + epochs);
        }
        if (cfg == null) {
            cfg = ScheduleConfig.constant();
        }
        String name = canonicalName(cfg.name());
        checkKeysBelong(cfg, name);
        return switch (name) {
            case "constant" -> new ConstantSchedule(baseLr);
            case "step" -> {
                int stepSize = require(cfg.stepSize(), "step_size", "step", "8");
                if (stepSize < 1) {
                    throw fail("step_size must be >= 1 (got " + stepSize + ")");
                }
                yield new StepSchedule(baseLr, stepSize, gamma(cfg), stepsPerEpoch);
            }
            case "multistep" -> {
                List<Integer> milestones = require(cfg.milestones(), "milestones", "multistep", "[5, 10]");
                checkMilestones(milestones);
                yield new MultiStepSchedule(baseLr, milestones, gamma(cfg), stepsPerEpoch);
            }
            case "onecycle" -> oneCycle(cfg, baseLr, (long) stepsPerEpoch * epochs, stepsKnown);
            default -> throw new AssertionError(name);
        };
    }

    private static String canonicalName(String raw) {
        if (raw == null || raw.isBlank()) {
            throw fail("name is missing; use one of " + VALID_NAMES);
        }
        String name = raw.trim().toLowerCase(Locale.ROOT);
        if (name.equals("steplr")) {
            return "step";
        }
        if (!KEYS.containsKey(name)) {
            throw fail("name '" + raw + "' is unknown; use one of " + VALID_NAMES);
        }
        return name;
    }

    private static void checkKeysBelong(ScheduleConfig cfg, String name) {
        Map<String, Object> set = new LinkedHashMap<>();
        set.put("step_size", cfg.stepSize());
        set.put("gamma", cfg.gamma());
        set.put("milestones", cfg.milestones());
        set.put("max_lr", cfg.maxLr());
        set.put("pct_start", cfg.pctStart());
        set.put("div_factor", cfg.divFactor());
        set.put("final_div_factor", cfg.finalDivFactor());
        set.put("anneal", cfg.anneal());
        set.put("three_phase", cfg.threePhase());
        set.put("cycle_momentum", cfg.cycleMomentum());
        set.put("base_momentum", cfg.baseMomentum());
        set.put("max_momentum", cfg.maxMomentum());
        Set<String> allowed = KEYS.get(name);
        for (Map.Entry<String, Object> e : set.entrySet()) {
            if (e.getValue() != null && !allowed.contains(e.getKey())) {
                String hint = allowed.isEmpty() ? "" : " (it takes " + String.join(", ", allowed.stream().sorted().toList()) + ")";
                throw fail(e.getKey() + " does not apply to schedule '" + name + "'; remove it" + hint);
            }
        }
    }

    private static double gamma(ScheduleConfig cfg) {
        double gamma = cfg.gamma() == null ? 0.1 : cfg.gamma(); // PyTorch's default
        if (!(gamma > 0) || Double.isInfinite(gamma)) {
            throw fail("gamma must be > 0 (got " + gamma + ")");
        }
        return gamma;
    }

    private static void checkMilestones(List<Integer> milestones) {
        if (milestones.isEmpty()) {
            throw fail("milestones must list at least one epoch, e.g. [5, 10]");
        }
        int previous = 0;
        for (Integer m : milestones) {
            // Milestones are epochs at which the lr drops; epoch 0 would just be a lower base lr.
            if (m == null || m <= previous) {
                throw fail("milestones must be positive and strictly increasing (got " + milestones + ")");
            }
            previous = m;
        }
    }

    private static Schedule oneCycle(ScheduleConfig cfg, double baseLr, long totalSteps, boolean stepsKnown) {
        double maxLr = cfg.maxLr() == null ? baseLr : cfg.maxLr();
        positive(maxLr, "max_lr");
        double pctStart = cfg.pctStart() == null ? 0.3 : cfg.pctStart();
        if (!(pctStart > 0 && pctStart < 1)) {
            throw fail("pct_start must be strictly between 0 and 1 (got " + pctStart + ")");
        }
        // PyTorch computes pct = step / warmupEnd; a warm-up ending at step 0 divides 0 by 0 at step 0.
        if (stepsKnown && pctStart * totalSteps - 1 == 0) {
            throw fail("pct_start " + pctStart + " makes the warm-up end at step 0 of " + totalSteps
                    + " total steps; choose a larger or smaller pct_start");
        }
        double divFactor = positive(cfg.divFactor() == null ? 25.0 : cfg.divFactor(), "div_factor");
        double finalDivFactor = positive(cfg.finalDivFactor() == null ? 1e4 : cfg.finalDivFactor(), "final_div_factor");
        String anneal = cfg.anneal() == null ? "cos" : cfg.anneal().trim().toLowerCase(Locale.ROOT);
        if (!anneal.equals("cos") && !anneal.equals("linear")) {
            throw fail("anneal must be 'cos' or 'linear' (got '" + cfg.anneal() + "')");
        }
        double baseMomentum = momentum(cfg.baseMomentum() == null ? 0.85 : cfg.baseMomentum(), "base_momentum");
        double maxMomentum = momentum(cfg.maxMomentum() == null ? 0.95 : cfg.maxMomentum(), "max_momentum");
        if (baseMomentum > maxMomentum) {
            throw fail("base_momentum (" + baseMomentum + ") must not exceed max_momentum (" + maxMomentum + ")");
        }
        return new OneCycleSchedule(maxLr, totalSteps, pctStart, anneal.equals("cos"), divFactor, finalDivFactor,
                Boolean.TRUE.equals(cfg.threePhase()), !Boolean.FALSE.equals(cfg.cycleMomentum()),
                baseMomentum, maxMomentum);
    }

    private static double positive(double value, String key) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw fail(key + " must be > 0 (got " + value + ")");
        }
        return value;
    }

    private static double momentum(double value, String key) {
        if (!(value >= 0 && value <= 1)) {
            throw fail(key + " must be between 0 and 1 (got " + value + ")");
        }
        return value;
    }

    private static <T> T require(T value, String key, String schedule, String example) {
        if (value == null) {
            throw fail(key + " is required for schedule '" + schedule + "' (e.g. " + key + ": " + example + ")");
        }
        return value;
    }

    private static MnistlabException fail(String what) {
        return new MnistlabException("recipe schedule." + what);
    }

    /** Epoch-based schedules are stepped once per epoch, after it, so every batch of epoch e sees epoch e. */
    static long epochOf(long step, int stepsPerEpoch) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0 (got " + step + ")");
        }
        return step / stepsPerEpoch;
    }
}
