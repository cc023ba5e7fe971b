// java -cp "target/classes:target/lib/*" bench/ProfileStep.java PRESET TRAIN_IMAGES TEST_IMAGES OUT.json
//   (after mvn package) runs `bench`'s measurement of PRESET (two epochs over TRAIN_IMAGES, each evaluated on
//   the first TEST_IMAGES test images) on one thread under libtorch's profiler and writes a Chrome trace;
//   bench/profile_summary.py turns it into self time per op.
import ai.djl.pytorch.jni.JniUtils;
import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.MnistSource;
import dev.mnistlab.train.Benchmark;
import dev.mnistlab.train.EngineThreads;
import dev.mnistlab.train.Experiment;

public class ProfileStep {
    public static void main(String[] a) {
        Experiment e = Experiment.preset(a[0]);
        int images = Integer.parseInt(a[1]);
        EngineThreads.configure(1);
        MnistData all = MnistSource.load(null, s -> { });
        MnistData data = new MnistData(all.train(), all.test().first(Integer.parseInt(a[2])), all.directory());
        Benchmark.run(e, data, images); // warm up outside the profile
        JniUtils.startProfile(false, true, false);
        Benchmark.Measurement m = Benchmark.run(e, data, images);
        JniUtils.stopProfile(a[3]);
        System.out.printf("%s: train %.0f img/s, eval %.0f img/s%n", a[0], m.trainImagesPerSecond(), m.evalImagesPerSecond());
    }
}
