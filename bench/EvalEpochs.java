import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.MnistSource;
import dev.mnistlab.train.EpochResult;
import dev.mnistlab.train.Evaluation;
import dev.mnistlab.train.Experiment;
import dev.mnistlab.train.RunFolder;
import dev.mnistlab.train.Training;
import dev.mnistlab.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One training of PRESET on THREADS threads for EPOCHS short epochs (the first TRAIN_IMAGES images), printing for each
 * epoch what its evaluation cost the process (user and system CPU ticks, minor page faults, context switches, from
 * /proc) and at the end each epoch's training and evaluation img/s. Linux only. docs/benchmarks.md, session 13:
 *
 *   java -cp "target/mnistlab.jar:target/lib/*" bench/EvalEpochs.java frontier-2k 2 6 12800
 */
public class EvalEpochs {

    /** utime, stime, minflt of the process; voluntary and involuntary context switches summed over its threads. */
    static long[] stat() throws Exception {
        String s = Files.readString(Path.of("/proc/self/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        long voluntary = 0;
        long involuntary = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                for (String l : Files.readAllLines(t.resolve("status"))) {
                    if (l.startsWith("voluntary_ctxt_switches")) {
                        voluntary += Long.parseLong(l.split("\\s+")[1]);
                    } else if (l.startsWith("nonvoluntary_ctxt_switches")) {
                        involuntary += Long.parseLong(l.split("\\s+")[1]);
                    }
                }
            }
        }
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[7]), voluntary, involuntary};
    }

    public static void main(String[] a) throws Exception {
        dev.mnistlab.api.Mnistlab.useThreads(Integer.parseInt(a[1]));
        Experiment e = Experiment.preset(a[0]);
        e = e.withRecipe(e.recipe().withEpochs(Integer.parseInt(a[2])));
        MnistData data = MnistSource.load(null, s -> { }).limitTrain(Integer.parseInt(a[3]));
        Path dir = Files.createTempDirectory("eval-epochs");
        long[][] trained = new long[1][];
        TrainingListener costs = new TrainingListener() {
            int batches;

            @Override
            public void epochStarted(int epoch, int epochs, int batches) {
                this.batches = batches;
            }

            @Override
            public void batchDone(int batch, double loss, double accuracy) {
                if (batch == batches) {
                    try {
                        trained[0] = stat();
                    } catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                }
            }

            @Override
            public void epochDone(EpochResult r, Evaluation evaluation) {
                try {
                    long[] n = stat();
                    long[] t = trained[0];
                    System.out.printf("epoch %d evaluation: user %d sys %d (ticks), minor faults %d, context switches %d + %d%n",
                            r.epoch(), n[0] - t[0], n[1] - t[1], n[2] - t[2], n[3] - t[3], n[4] - t[4]);
                } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            }
        };
        Training.Result r = new Training(e, data, RunFolder.create(dir.resolve("run"), "eval-epochs", false))
                .reportingTo(costs).run();
        StringBuilder rates = new StringBuilder();
        for (Training.Timing t : r.timings()) {
            rates.append(String.format(" %.0f/%.0f", t.trainImages() / t.trainSeconds(), t.evalImages() / t.evalSeconds()));
        }
        System.out.println(a[0] + " on " + a[1] + " thread(s), training/evaluation img/s per epoch:" + rates);
    }
}
