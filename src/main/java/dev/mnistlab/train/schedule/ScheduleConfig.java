package dev.mnistlab.train.schedule;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The {@code schedule:} block of a recipe, as written in YAML (snake_case keys). Every setting is optional
 * here; {@link Schedules#create} applies PyTorch's defaults and rejects settings that are missing, invalid
 * or do not belong to the chosen schedule. Explicit {@code @JsonProperty} names make Jackson map the
 * snake_case keys and, with FAIL_ON_UNKNOWN_PROPERTIES, reject misspelt ones.
 */
public record ScheduleConfig(
        @JsonProperty("name") String name,
        @JsonProperty("step_size") Integer stepSize,
        @JsonProperty("gamma") Double gamma,
        @JsonProperty("milestones") List<Integer> milestones,
        @JsonProperty("max_lr") Double maxLr,
        @JsonProperty("pct_start") Double pctStart,
        @JsonProperty("div_factor") Double divFactor,
        @JsonProperty("final_div_factor") Double finalDivFactor,
        @JsonProperty("anneal") String anneal,
        @JsonProperty("three_phase") Boolean threePhase,
        @JsonProperty("cycle_momentum") Boolean cycleMomentum,
        @JsonProperty("base_momentum") Double baseMomentum,
        @JsonProperty("max_momentum") Double maxMomentum) {

    /** A recipe without a schedule block trains at a constant lr. */
    public static ScheduleConfig constant() {
        return new ScheduleConfig("constant", null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
