package dev.mnistlab.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import dev.mnistlab.data.Batch;
import dev.mnistlab.model.ModelBuilder;
import dev.mnistlab.model.ModelSpec;
import dev.mnistlab.model.ZeroedTorchMemory;
import dev.mnistlab.report.Journey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Training without zeroed memory where a proof allows it ({@link ZeroFillProof}): the separable presets pass
 * it, a network known to read unwritten memory does not, and a network that passed trains to the same bits
 * on memory full of NaN as on zeroed memory.
 */
class ZeroFillProofTest {

    private static final Shape INPUT = new Shape(1, 1, 28, 28);

    @AfterEach
    void zeroAgain() {
        ZeroedTorchMemory.turnOn();
    }

    @Test
    void theSeparablePresetsPass() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            for (String preset : List.of("default", "frontier-4k", "frontier-2k")) {
                for (Set<Integer> shards : List.of(Set.of(128, 96), Set.of(64, 48))) {
                    assertThat(ZeroFillProof.run(Experiment.preset(preset).spec(), INPUT, shards, Set.of(128, 96),
                            Set.of(250), m)).as("%s on shards %s", preset, shards).isTrue();
                    assertThat(ZeroedTorchMemory.zeroing()).isFalse();
                }
            }
        }
    }

    /**
     * oneDNN leaves weight padding unwritten only in its AVX-512 kernels (16-channel blocks): on a CPU with AVX2 and
     * no AVX-512, bench/PaddedWeightsProbe.java finds no NaN for 5-24 output channels and this skeleton passes.
     */
    @Test
    void onAvx512WriteUp002sSkeletonKeepsZeroing() {
        assumeTrue(Benchmark.hasAvx512(), "oneDNN's AVX-512 kernels are the ones that read unwritten padding");
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            // its forward conv of 18 to 10 channels on 6x6 reads weight padding oneDNN never wrote
            ModelSpec skeleton = Journey.load(Path.of("journeys/seed002.yaml")).steps().get(0).experiment().spec();
            assertThat(ZeroFillProof.run(skeleton, INPUT, Set.of(128), Set.of(128), Set.of(250), m)).isFalse();
            assertThat(ZeroedTorchMemory.zeroing()).isTrue();
        }
    }

    @Test
    void buildingAnotherNetworkTurnsZeroingOnAgain() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            assertThat(ZeroFillProof.run(Experiment.preset("frontier-4k").spec(), INPUT, Set.of(128), Set.of(128),
                    Set.of(250), m)).isTrue();
            ModelBuilder.build(Experiment.preset("seed003").spec());
            assertThat(ZeroedTorchMemory.zeroing()).isTrue();
        }
    }

    @Test
    void aProofThatCannotRunLeavesZeroingOn() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            // 8x8 images are too small for frontier-4k's convs: the throwaway copy cannot even be built
            assertThat(ZeroFillProof.run(Experiment.preset("frontier-4k").spec(), new Shape(1, 1, 8, 8), Set.of(128),
                    Set.of(128), Set.of(250), m)).isFalse();
            assertThat(ZeroedTorchMemory.zeroing()).isTrue();
        }
    }

    /**
     * The proof's promise, in the worst case: once a network passed, three training steps and an evaluation
     * on memory that holds NaN wherever libtorch has not written give exactly the gradients and logits they
     * give on zeroed memory, on one model copy and on two.
     */
    @ParameterizedTest
    @CsvSource({"default, 1", "default, 2", "frontier-4k, 2", "frontier-2k, 1"})
    void aNetworkThatPassedTrainsToTheSameBitsOnMemoryFullOfNaN(String preset, int threads) {
        ModelSpec spec = Experiment.preset(preset).spec();
        List<float[]> zeroed = steps(spec, threads, false);
        List<float[]> junk = steps(spec, threads, true);
        assertThat(junk).hasSameSizeAs(zeroed);
        for (int i = 0; i < zeroed.size(); i++) {
            assertThat(junk.get(i)).as("array %d", i).containsExactly(zeroed.get(i));
        }
    }

    /** Every gradient after each of three steps, then the evaluation logits of two batches. */
    private static List<float[]> steps(ModelSpec spec, int threads, boolean junkAfterProof) {
        Batch batch = RandomBatch.of(128, 1);
        List<float[]> out = new ArrayList<>();
        Engine.getInstance().setRandomSeed(1);
        try (Model net = Model.newInstance("zero-fill-proof", Device.cpu(), "PyTorch")) {
            Block block = ModelBuilder.build(spec);
            net.setBlock(block);
            try (Trainer trainer = net.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()))) {
                trainer.initialize(INPUT);
                DataParallel.Layout layout = DataParallel.Layout.of(threads, 128);
                try (DataParallel parallel = new DataParallel(trainer, block, spec, INPUT, layout)) {
                    parallel.syncAll();
                    if (junkAfterProof) {
                        assertThat(ZeroFillProof.run(spec, INPUT, parallel.shardSizes(128), Set.of(128), Set.of(128),
                                net.getNDManager())).isTrue();
                        ZeroedTorchMemory.junkFillForTests();
                    }
                    for (int step = 1; step <= 3; step++) {
                        parallel.forwardBackward(batch);
                        for (Pair<String, Parameter> p : block.getParameters()) {
                            if (p.getValue().requiresGradient()) {
                                out.add(p.getValue().getArray().getGradient().toFloatArray());
                            }
                        }
                    }
                    out.addAll(parallel.evaluate(2, (b, copy, store, manager) -> {
                        try (NDManager m = manager.newSubManager()) {
                            NDList in = new NDList(m.create(batch.images(), new Shape(128, 1, 28, 28)));
                            NDList logits = copy == null ? trainer.evaluate(in) : copy.forward(store, in, false);
                            return logits.singletonOrThrow().toFloatArray();
                        }
                    }));
                }
            }
        } finally {
            ZeroedTorchMemory.turnOn();
        }
        return out;
    }
}
