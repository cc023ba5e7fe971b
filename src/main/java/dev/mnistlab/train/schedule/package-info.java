/**
 * Learning-rate and momentum schedules with PyTorch's semantics (constant, StepLR, MultiStepLR, OneCycleLR).
 *
 * <p><b>Internal:</b> not part of mnistlab's API, except {@link dev.mnistlab.train.schedule.ScheduleConfig},
 * a {@link dev.mnistlab.train.Recipe}'s schedule part.
 */
package dev.mnistlab.train.schedule;
