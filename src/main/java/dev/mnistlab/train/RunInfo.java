package dev.mnistlab.train;

import dev.mnistlab.YamlFiles;

/**
 * run.yaml: what is needed to repeat or resume a run besides its experiment: where the data came
 * from, the thread count (results depend on it), the seed and library versions. Immutable: a status
 * change is a copy ({@link #withStatus}) written over the old file.
 *
 * @param dataDir    the MNIST folder the run read
 * @param trainLimit training images used when fewer than all (--limit-train), else null
 * @param validation training images held out (the last ones) and evaluated on instead of the test set, else null
 * @param threads    compute threads (the digits depend on them)
 * @param seed       the recipe's seed
 * @param params     trainable parameters
 * @param mnistlab   mnistlab's version
 * @param djl        DJL's version
 * @param engine     the engine and its version
 * @param started    when the run started (ISO-8601)
 * @param finished   when its last epoch finished, else null
 * @param status     {@value #RUNNING}, {@value #PAUSED}, {@value #STOPPED} or {@value #FINISHED}
 */
public record RunInfo(String dataDir, Integer trainLimit, Integer validation, int threads, long seed, long params,
                      String mnistlab, String djl, String engine, String started, String finished, String status) {

    public static final String RUNNING = "running";
    public static final String PAUSED = "paused";
    public static final String FINISHED = "finished";
    /** Ended by an error (divergence, bad data, a crash the JVM saw); its checkpoint, if any, stays. */
    public static final String STOPPED = "stopped";
    public static final String VERSION = "0.1.0";

    /** A run starting now with this mnistlab and DJL; what a run.yaml without some keys falls back to. */
    public static RunInfo start(String dataDir, Integer trainLimit, Integer validation, int threads, long seed,
                                long params, String engine, String started) {
        return new RunInfo(dataDir, trainLimit, validation, threads, seed, params, VERSION,
                ai.djl.engine.Engine.getDjlVersion(), engine, started, null, RUNNING);
    }

    public static RunInfo read(RunFolder folder) {
        return YamlFiles.bind(YamlFiles.read(folder.file(RunFolder.RUN_INFO)),
                start(null, null, null, 0, 0, 0, null, null), folder.file(RunFolder.RUN_INFO).toString());
    }

    public void write(RunFolder folder) {
        folder.writeText(RunFolder.RUN_INFO, YamlFiles.write(this));
    }

    public RunInfo withStatus(String status) {
        return new RunInfo(dataDir, trainLimit, validation, threads, seed, params, mnistlab, djl, engine, started,
                finished, status);
    }

    public RunInfo withFinished(String finished) {
        return new RunInfo(dataDir, trainLimit, validation, threads, seed, params, mnistlab, djl, engine, started,
                finished, status);
    }
}
