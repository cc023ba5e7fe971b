// A write-up's first steps in JShell, one cell at a time: build a model, look at it, train one epoch on a
// subset, read the metrics, change one thing, train again, compare.
//   jshell --class-path "target/mnistlab.jar:target/lib/*" examples/Walkthrough.jsh
// (after ./mnistlab has built once; on Windows use ; between the two class-path entries)
import dev.mnistlab.api.*;
import dev.mnistlab.train.Recipe;
import java.nio.file.Path;

// Step 1. Target: a light skeleton under 8,000 params with a receptive field that covers the digit.
Model model = Model.builder("step1").blockDefaults(3, 0, 0.0).block(8).block(12).maxpool(2).pointwise(8).block(12).block(16).block(16).gap().pointwise(10).build();
System.out.println(model);
System.out.print(model.summary());
System.out.print(model.receptiveFieldTable());

// One epoch on the first 5,000 training images is enough to see whether it learns.
Experiment step1 = Experiment.of(model, Recipe.defaults().withEpochs(1));
TrainOptions quick = TrainOptions.defaults().withLimitTrain(Integer.getInteger("images", 5000)).withThreads(1).withForce(true);
Run first = Mnistlab.train(step1, quick.withOut(Path.of("runs/jshell-step1")));
System.out.println("step 1: " + first.epochs());

// Step 2. Change one thing: a higher learning rate.
Run second = Mnistlab.train(step1.withName("step2").withRecipe(r -> r.withLr(0.05)), quick.withOut(Path.of("runs/jshell-step2")));
System.out.println("step 2: " + second.epochs());

// Compare the two: the journal table a journey writes, and an overlay chart in runs/jshell-compare.
System.out.print(Mnistlab.compare(java.util.List.of(first, second), Path.of("runs/jshell-compare")));
/exit
