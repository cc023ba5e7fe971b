package dev.mnistlab.api;

import dev.mnistlab.train.Recipe;
import java.nio.file.Path;

/**
 * What to train: a {@link Model} and the {@link Recipe} that trains it, under a name that names its run
 * folders. Immutable; {@code with...} returns a changed copy. Presets are experiments:
 * {@code Experiment.preset("seed001").withRecipe(r -> r.withEpochs(5))}.
 *
 * @param name names run folders and reports
 * @param description one line for reports (may be empty)
 */
public record Experiment(String name, String description, Model model, Recipe recipe) {

    /** A shipped preset (see {@link Mnistlab#presets()}). */
    public static Experiment preset(String name) {
        return of(dev.mnistlab.train.Experiment.preset(name));
    }

    /** A YAML file: a preset-style {@code {name, description, model, recipe}} or a bare spec (default recipe). */
    public static Experiment file(Path yaml) {
        return of(dev.mnistlab.train.Experiment.file(yaml));
    }

    /** A model with a recipe, named after the model. */
    public static Experiment of(Model model, Recipe recipe) {
        return new Experiment(model.name(), "", model, recipe);
    }

    /** A copy under another name. */
    public Experiment withName(String newName) {
        return new Experiment(newName, description, model, recipe);
    }

    /** A copy with another model. */
    public Experiment withModel(Model newModel) {
        return new Experiment(name, description, newModel, recipe);
    }

    /** A copy with another recipe. */
    public Experiment withRecipe(Recipe newRecipe) {
        return new Experiment(name, description, model, newRecipe);
    }

    /** A copy with the recipe changed by {@code change}, e.g. {@code e.withRecipe(r -> r.withEpochs(5))}. */
    public Experiment withRecipe(java.util.function.UnaryOperator<Recipe> change) {
        return withRecipe(change.apply(recipe));
    }

    /** The experiment as YAML, as a run folder records it and {@link #file} reads it back. */
    public String toYaml() {
        return internal().toYaml();
    }

    static Experiment of(dev.mnistlab.train.Experiment e) {
        return new Experiment(e.name(), e.description(), new Model(e.spec()), e.recipe());
    }

    dev.mnistlab.train.Experiment internal() {
        return new dev.mnistlab.train.Experiment(name, description, model.spec(), recipe);
    }
}
