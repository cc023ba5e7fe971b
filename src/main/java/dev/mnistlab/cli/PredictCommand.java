package dev.mnistlab.cli;

import dev.mnistlab.api.Run;
import dev.mnistlab.infer.MnistForm;
import dev.mnistlab.infer.Prediction;
import dev.mnistlab.infer.TrainedModel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Predict the digit in each image with a run's weights; prints the digit and the ten probabilities.",
                "Images are brought into MNIST's form first (greyscale, inverted when dark on light, cropped, scaled to fit "
                        + "20x20, centred by centre of mass in 28x28); a 28x28 greyscale image is taken as already in that form."})
final class PredictCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A finished run folder (experiment.yaml + weights.params).")
    Path run;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "IMAGE", description = "PNG, JPEG, GIF or BMP files, at most "
            + MnistForm.MAX_SIDE + " pixels a side and " + MnistForm.MAX_PIXELS / 1_000_000 + " megapixels.")
    List<Path> images;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Override
    public Integer call() {
        threads.configure();
        try (TrainedModel model = Run.open(run).model()) {
            for (Path image : images) {
                Prediction p = model.predict(image);
                System.out.printf("%s: %d  (%s)%n", image, p.digit(), p.probabilitiesText());
            }
        }
        return 0;
    }
}
