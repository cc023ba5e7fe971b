/**
 * mnistlab's public Java API: design, train and prove compact CNNs on MNIST from your own code, JShell
 * or a test. The command line is a thin client of this package; everything it does is one or two calls
 * here.
 *
 * <h2>A complete example</h2>
 * <pre>{@code
 * import dev.mnistlab.api.*;
 * import dev.mnistlab.train.Recipe;
 *
 * // a model in code (or Model.preset("seed003"), Model.file(Path.of("my.yaml")))
 * Model model = Model.builder("mine")
 *         .blockDefaults(3, 0, 0.05)          // 3x3 convs, no padding, conv -> ReLU -> BN -> dropout 5%
 *         .block(8).block(12).maxpool(2).pointwise(8)
 *         .block(12).block(16).block(16).gap().pointwise(10)
 *         .build();
 * System.out.print(model.summary());         // torchsummary's table; model.parameters() as a number
 *
 * // a recipe (or Experiment.preset("seed003").recipe()), changed by copies
 * Recipe recipe = Recipe.defaults().withEpochs(15).withLr(0.05);
 *
 * Run run = Mnistlab.train(Experiment.of(model, recipe), TrainOptions.defaults().withThreads(2));
 * run.epochs().forEach(System.out::println);  // metrics per epoch
 * run.checks().forEach(System.out::println);  // PASS/FAIL: params, epochs, the last epochs' accuracy
 *
 * Run again = Run.open(run.dir());            // any finished run folder
 * System.out.println(again.evaluate().line());
 * System.out.println(again.predict(Path.of("digit.png")).digit());
 * again.export(Path.of("export"), false);     // weights.npz + model.py for PyTorch
 * }</pre>
 *
 * <h2>What is where</h2>
 * <ul>
 *   <li>{@link dev.mnistlab.api.Mnistlab}: presets, data, {@code train}, {@code resume}, seed sweeps,
 *       search, journeys, comparisons, benchmarks.</li>
 *   <li>{@link dev.mnistlab.api.Model} and {@link dev.mnistlab.api.Experiment}: what to train;
 *       {@link dev.mnistlab.train.Recipe}: how; {@link dev.mnistlab.api.TrainOptions}: where and on what.</li>
 *   <li>{@link dev.mnistlab.api.Run}: a run folder, finished or not: metrics, constraint check,
 *       evaluation, prediction, export, report.</li>
 *   <li>{@link dev.mnistlab.train.TrainingListener}: hear about every batch and epoch (the command
 *       line's progress bar is one).</li>
 * </ul>
 * Config and results are immutable records. The other packages are internal (their {@code package-info}
 * says so) except for the value types this package hands out, which are named in their Javadoc as part
 * of the API.
 *
 * <h2>Threads</h2>
 * libtorch fixes some thread settings when it loads, so call {@link dev.mnistlab.api.Mnistlab} before
 * any other DJL code in the JVM. Each {@code train} uses {@link dev.mnistlab.api.TrainOptions#threads()}
 * compute threads; the same seed and thread count give the same digits.
 */
package dev.mnistlab.api;
