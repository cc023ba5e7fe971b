package dev.mnistlab.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Hands floats to libtorch through one reused direct buffer. DJL copies a heap array into a freshly
 * allocated direct buffer for every NDArray, which for per-step inputs and dropout masks meant megabytes
 * of zeroed allocations per batch. libtorch reads this buffer in place, so the NDArray made by
 * {@link #wrap} must be closed before the next call refills the buffer; one step's arrays are.
 */
public final class StagingBuffer {

    private ByteBuffer buffer = ByteBuffer.allocateDirect(0);

    public NDArray wrap(NDManager manager, float[] values, int offset, int count, Shape shape) {
        int bytes = count * Float.BYTES;
        if (buffer.capacity() < bytes) {
            buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        buffer.clear();
        buffer.asFloatBuffer().put(values, offset, count);
        buffer.limit(bytes);
        return manager.create(buffer, shape, DataType.FLOAT32);
    }
}
