/**
 * A trained run as a model: loading, MNIST-form preprocessing of images, prediction, the drawing server,
 * export to PyTorch and the PyTorch side of {@code bench} built from the export.
 *
 * <p><b>Internal:</b> not part of mnistlab's API (that is {@link dev.mnistlab.api}) and free to change. The
 * API returns {@link dev.mnistlab.infer.TrainedModel}, {@link dev.mnistlab.infer.Prediction} and {@link
 * dev.mnistlab.infer.DrawingServer}.
 */
package dev.mnistlab.infer;
