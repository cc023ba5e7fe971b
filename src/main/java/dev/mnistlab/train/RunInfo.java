package dev.mnistlab.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mnistlab.model.YamlFiles;

/**
 * run.yaml: what is needed to repeat or resume a run besides its experiment: where the data came
 * from, the thread count (results depend on it), the seed and library versions.
 */
public final class RunInfo {

    public String dataDir;
    public Integer trainLimit;
    /** Training images held out (the last ones) and evaluated on instead of the test set. */
    public Integer validation;
    public int threads;
    public long seed;
    public long params;
    public String mnistlab = "0.1.0";
    public String djl = ai.djl.engine.Engine.getDjlVersion();
    public String engine;
    public String started;
    public String finished;
    public String status = "running";

    public static RunInfo read(RunFolder folder) {
        JsonNode node = YamlFiles.read(folder.file(RunFolder.RUN_INFO));
        return YamlFiles.bind(node, RunInfo.class, folder.file(RunFolder.RUN_INFO).toString());
    }

    public void write(RunFolder folder) {
        folder.writeText(RunFolder.RUN_INFO, YamlFiles.write(this));
    }
}
