package dev.mnistlab.data;

/**
 * One batch ready for the engine: images as NCHW floats, labels as class indices, and the indices of
 * the samples in their split (so evaluation can name the digits it got wrong).
 */
public record Batch(float[] images, long[] labels, int[] indices, int size) {}
