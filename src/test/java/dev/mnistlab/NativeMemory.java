package dev.mnistlab;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Test help for arrays whose memory is freed too early: collect it, then fill freed blocks with NaN. */
public final class NativeMemory {

    private NativeMemory() {}

    /** Garbage-collects, lets the cleaner free unreachable direct buffers, and reuses small blocks. */
    public static void churn() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
        }
        List<ByteBuffer> filler = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(4);
            b.putFloat(0, Float.NaN);
            filler.add(b);
        }
        filler.clear();
    }
}
