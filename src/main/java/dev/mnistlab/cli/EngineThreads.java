package dev.mnistlab.cli;

/** libtorch reads its thread counts once, when DJL loads the engine. */
final class EngineThreads {

    private EngineThreads() {}

    static void configure(Integer threads) {
        if (threads != null) {
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
        }
        // inter-op parallelism only adds contention for a sequential CNN of this size
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
}
