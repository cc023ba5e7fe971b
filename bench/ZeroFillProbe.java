// MALLOC_MMAP_THRESHOLD_=2000000000 MALLOC_TRIM_THRESHOLD_=4000000000 \
//   java -cp "target/mnistlab.jar:target/lib/*" bench/ZeroFillProbe.java PRESET THREADS IMAGES RUNS
//   (after mvn package; the two malloc settings are the launcher's)
import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.MnistSource;
import dev.mnistlab.model.ZeroedTorchMemory;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.RunFolder;
import dev.mnistlab.train.Training;
import dev.mnistlab.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What zeroing libtorch's new memory costs a training step: one-epoch trainings of PRESET on IMAGES training
 * images in one JVM, alternating as the proof left it (zeroing off for a network that passed) and with zeroing
 * turned on again at the start of the epoch. The machine drifts, so read the ratios of neighbouring runs.
 */
public class ZeroFillProbe {
    public static void main(String[] args) throws Exception {
        MnistData data = MnistSource.load(null, s -> { }).limitTrain(Integer.parseInt(args[2]));
        Experiment preset = Experiment.preset(args[0]);
        Experiment e = preset.withRecipe(preset.recipe().withEpochs(1));
        for (int run = 0; run < Integer.parseInt(args[3]); run++) {
            boolean zeroed = run % 2 == 1;
            Path dir = Files.createTempDirectory("zero-fill-probe");
            Training.Result result = new Training(e, data, RunFolder.create(dir.resolve("run"), "probe", false))
                    .onThreads(Integer.parseInt(args[1]))
                    .reportingTo(new TrainingListener() {
                        @Override
                        public void epochStarted(int epoch, int epochs, int batches) {
                            if (zeroed) {
                                ZeroedTorchMemory.turnOn();
                            }
                        }
                    }).run();
            Training.Timing t = result.timings().get(0);
            System.out.printf("%s, zeroing %s: train %.0f img/s, eval %.0f img/s%n", args[0],
                    ZeroedTorchMemory.zeroing() ? "on " : "off", t.trainImages() / t.trainSeconds(),
                    t.evalImages() / t.evalSeconds());
        }
    }
}
