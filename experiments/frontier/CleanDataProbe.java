import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.mnistlab.data.Augmentation;
import dev.mnistlab.data.Batch;
import dev.mnistlab.data.BatchStream;
import dev.mnistlab.data.MnistData;
import dev.mnistlab.data.MnistSource;
import dev.mnistlab.infer.Evaluator;
import dev.mnistlab.infer.TrainedModel;
import java.nio.FloatBuffer;
import java.nio.file.Path;

/**
 * Does a finished model lose test accuracy because it was trained on augmented images? Two checks on
 * finished run folders, each against a control that uses the recipe's augmentation instead:
 *   bn  RUN...                  re-estimate BatchNorm's running statistics on 60 batches of 1,000 clean
 *                               (or augmented) training images, then evaluate;
 *   finetune LR EPOCHS RUN...   train EPOCHS more epochs at LR (SGD, momentum 0.9, batch 128) on clean
 *                               (or augmented) training images, evaluating after each.
 * Not a training recipe (fine-tuning adds epochs beyond the 15 allowed); a diagnostic.
 *
 *   java -cp "target/mnistlab.jar:target/lib/*" experiments/frontier/CleanDataProbe.java bn runs/frontier-4k/seed-1
 */
public class CleanDataProbe {

    public static void main(String[] args) {
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(1);
        MnistData data = MnistSource.load(null, s -> {});
        float[] train = BatchStream.unitPixels(data.train());
        boolean finetune = args[0].equals("finetune");
        int first = finetune ? 3 : 1;
        for (int i = first; i < args.length; i++) {
            for (boolean augmented : new boolean[] {false, true}) {
                try (TrainedModel m = TrainedModel.load(Path.of(args[i]))) {
                    double before = Evaluator.evaluate(m, data.test()).accuracy();
                    Augmentation aug = augmented ? m.experiment().recipe().augment() : Augmentation.NONE;
                    String after = finetune
                            ? fineTune(m, data, train, aug, Float.parseFloat(args[1]), Integer.parseInt(args[2]))
                            : String.format("%.2f", recalibrate(m, data, train, aug));
                    System.out.printf("%s  %s  before %.2f  after %s%n", args[i],
                            augmented ? "augmented" : "clean    ", before, after);
                }
            }
        }
        System.exit(0);
    }

    private static double recalibrate(TrainedModel m, MnistData data, float[] train, Augmentation aug) {
        int n = 0;
        try (NDManager manager = NDManager.newBaseManager()) {
            for (Batch b : new BatchStream(data.train(), train, 1000, m.experiment().recipe().normalize(), aug, 77, true)) {
                b.prepare(0, b.size());
                try (NDManager s = manager.newSubManager()) {
                    m.block().forward(new ParameterStore(s, false), new NDList(images(s, b)), true);
                }
                if (++n == 60) {
                    break;
                }
            }
        }
        return Evaluator.evaluate(m, data.test()).accuracy();
    }

    private static String fineTune(TrainedModel m, MnistData data, float[] train, Augmentation aug,
                                   float lr, int epochs) {
        StringBuilder out = new StringBuilder();
        try (Model model = Model.newInstance("probe", "PyTorch")) {
            model.setBlock(m.block());
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(lr)).optMomentum(0.9f).build());
            try (Trainer t = model.newTrainer(config)) {
                m.block().getParameters().forEach(p -> {
                    if (p.getValue().requiresGradient()) {
                        p.getValue().getArray().setRequiresGradient(true);
                    }
                });
                for (int e = 0; e < epochs; e++) {
                    for (Batch b : new BatchStream(data.train(), train, 128, m.experiment().recipe().normalize(), aug, 1000 + e, true)) {
                        b.prepare(0, b.size());
                        try (NDManager s = t.getManager().newSubManager();
                             GradientCollector gc = t.newGradientCollector()) {
                            NDArray logits = t.forward(new NDList(images(s, b))).singletonOrThrow();
                            gc.backward(t.getLoss().evaluate(new NDList(s.create(b.labels())), new NDList(logits)));
                        }
                        t.step();
                    }
                    out.append(String.format(" %.2f", Evaluator.evaluate(m, data.test()).accuracy()));
                }
            }
        }
        return out.toString().trim();
    }

    private static NDArray images(NDManager s, Batch b) {
        return s.create(FloatBuffer.wrap(b.images()), new Shape(b.size(), 1, 28, 28));
    }
}
