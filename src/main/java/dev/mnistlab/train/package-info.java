/**
 * Training one run: recipe, schedules, optimizers, the epoch loop, checkpoints, the run folder and its
 * state, constraint checks.
 *
 * <p><b>Internal:</b> not part of mnistlab's API (that is {@link dev.mnistlab.api}) and free to change.
 * These types are also part of the API, which takes or returns them: {@link dev.mnistlab.train.Recipe}
 * (with its optimizer, constraint and loss parts, and {@link dev.mnistlab.train.Averaging}), {@link
 * dev.mnistlab.train.TrainingListener}, {@link
 * dev.mnistlab.train.EpochResult}, {@link dev.mnistlab.train.Evaluation}, {@link
 * dev.mnistlab.train.ConstraintCheck.Line}, {@link dev.mnistlab.train.RunState.Status} and {@link
 * dev.mnistlab.train.Benchmark.Measurement}.
 */
package dev.mnistlab.train;
