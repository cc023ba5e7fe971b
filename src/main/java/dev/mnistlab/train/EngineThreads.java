package dev.mnistlab.train;

/**
 * libtorch reads its thread counts once, when DJL loads the engine: these properties must be set before
 * the first DJL call in the JVM. Later calls still matter: {@link Training} reads the thread count from
 * here when it is not told one.
 */
public final class EngineThreads {

    private EngineThreads() {}

    /** Sets the compute threads ({@code null}: leave as is, all cores by default) and one inter-op thread. */
    public static void configure(Integer threads) {
        if (threads != null) {
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
        }
        // inter-op parallelism only adds contention for a sequential CNN of this size
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
}
