/**
 * MNIST as arrays: the IDX reader, the source (data folder, cache, mirrors, npm), checksums, augmentation
 * and batches.
 *
 * <p><b>Internal:</b> not part of mnistlab's API (that is {@link dev.mnistlab.api}) and free to change. The
 * API hands out {@link dev.mnistlab.data.Augmentation} and {@link dev.mnistlab.data.Normalization} as parts
 * of a {@link dev.mnistlab.train.Recipe}.
 */
package dev.mnistlab.data;
