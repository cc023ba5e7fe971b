package dev.mnistlab.search;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.train.RunSnapshot;
import dev.mnistlab.train.TrainRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Trains the trials of a study store, {@code parallel} at a time, each in a one-thread {@code train} child process
 * in a run folder of its own. A trial is claimed for a lease that is renewed while it trains; after every epoch its
 * metrics and checkpoint go to the store, so when this process dies its trials' leases lapse and another worker
 * resumes them from their last stored epoch, on any machine. Works until the studies it serves are finished.
 */
public final class Worker {

    /**
     * @param study    the study to work on; null: every study in the store whose data are this worker's
     * @param folders  where a study's run folders go (a trial's folder is relative to it)
     * @param dataDir  the MNIST folder the children read, already checked against the study's fingerprint
     * @param data     that folder's fingerprint ({@link dev.mnistlab.data.MnistSource#fingerprint})
     * @param lease    how long a claim holds without renewal (renewed every second while its trial trains)
     */
    public record Options(String study, java.util.function.Function<String, Path> folders, Path dataDir, String data,
                          int parallel, Duration lease) {}

    /** A trial being trained: its claim, where, its child process and whether the store still says it is ours. */
    private static final class Active {
        final StudyStore.Claim claim;
        final Path run;
        final Set<Process> processes = ConcurrentHashMap.newKeySet();
        volatile int stored;
        volatile boolean lost;

        Active(StudyStore.Claim claim, Path run) {
            this.claim = claim;
            this.run = run;
            this.stored = claim.trial().epochsDone();
        }
    }

    private static final Duration SYNC = Duration.ofSeconds(1);

    private final StudyStore store;
    private final ChildTraining children;
    private final Options options;
    private final PrintStream out;
    private final String id;
    private final Set<Active> active = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    private final java.util.concurrent.atomic.AtomicInteger trained = new java.util.concurrent.atomic.AtomicInteger();

    /** @param out hears one line per claim and per finished trial; null: quiet */
    public Worker(StudyStore store, ChildTraining children, Options options, PrintStream out) {
        this.store = store;
        this.children = children;
        this.options = options;
        this.out = out;
        this.id = host() + ":" + ProcessHandle.current().pid();
        if (options.study() != null) {
            StudyStore.Study study = store.study(options.study());
            if (study != null && !study.data().equals(options.data())) {
                throw new MnistlabException(store.dataMismatch(options.study()));
            }
        }
    }

    /** Trains until the studies served are finished (waiting while there is none yet); returns the trainings run. */
    public int run() {
        for (StudyStore.Study s : store.studies()) {
            if (!s.finished() && !s.data().equals(options.data()) && options.study() == null) {
                say("Skipping %s", store.dataMismatch(s.name()));
            }
        }
        store.releaseGone(host(), pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        Thread stop = new Thread(this::stop);
        Runtime.getRuntime().addShutdownHook(stop);
        ScheduledExecutorService sync = Executors.newSingleThreadScheduledExecutor();
        sync.scheduleWithFixedDelay(this::syncAll, SYNC.toMillis(), SYNC.toMillis(), TimeUnit.MILLISECONDS);
        ExecutorService slots = Executors.newFixedThreadPool(options.parallel());
        try {
            List<Future<?>> running = new java.util.ArrayList<>();
            for (int slot = 1; slot <= options.parallel(); slot++) {
                String name = id + "/" + slot;
                running.add(slots.submit(() -> work(name)));
            }
            for (Future<?> f : running) {
                f.get();
            }
            return trained.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MnistlabException("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof MnistlabException m ? m : new IllegalStateException(e.getCause());
        } finally {
            slots.shutdownNow();
            sync.shutdownNow();
            try {
                Runtime.getRuntime().removeShutdownHook(stop);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
    }

    private void work(String worker) {
        while (!stopping) {
            Optional<StudyStore.Claim> claim = store.claim(worker, options.study(), options.data(), options.lease());
            if (claim.isPresent()) {
                train(claim.get());
            } else if (finished()) {
                return;
            } else {
                sleep(SYNC);
            }
        }
    }

    /**
     * No work will come any more: the study served is finished, or (serving all) every study on this worker's data is.
     */
    private boolean finished() {
        if (options.study() != null) {
            StudyStore.Study study = store.study(options.study());
            return study != null && study.finished();
        }
        List<StudyStore.Study> mine = store.studies().stream().filter(s -> s.data().equals(options.data())).toList();
        return !mine.isEmpty() && mine.stream().allMatch(StudyStore.Study::finished);
    }

    private void train(StudyStore.Claim claim) {
        StudyStore.Trial trial = claim.trial();
        Path run = options.folders().apply(claim.study()).resolve(trial.folder());
        Active a = new Active(claim, run);
        if (trial.epochsDone() >= trial.targetEpochs()) {
            // its worker stored the stage's last epoch and died before saying so
            finish(a, null);
            return;
        }
        try {
            if (claim.snapshot() != null) {
                claim.snapshot().restore(run);
            }
        } catch (MnistlabException e) {
            say("%s %s: cannot use %s now (%s); given back", claim.study(), trial.name(), run, e.getMessage());
            store.release(claim);
            sleep(SYNC);
            return;
        }
        say("%s %s: %s to epoch %d [%s]", claim.study(), trial.name(), claim.snapshot() == null ? "starting"
                : "resuming after epoch " + trial.epochsDone(), trial.targetEpochs(), claim.worker());
        var experiment = trial.toExperiment();
        Integer stopAfter = trial.targetEpochs() < experiment.recipe().epochs() ? trial.targetEpochs() : null;
        TrainRequest request = new TrainRequest(run, claim.snapshot() != null, trial.validation(), trial.limitTrain(),
                stopAfter, 1, options.dataDir(), experiment);
        Path log = run.resolveSibling(run.getFileName() + ".log");
        active.add(a);
        int code;
        try {
            code = children.run(request, log, a.processes);
        } catch (IOException e) {
            active.remove(a);
            store.release(claim);
            throw new MnistlabException("cannot start a training process (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            active.remove(a);
            return;
        }
        if (stopping) {
            return; // stop() stores its epochs and gives it back
        }
        active.remove(a);
        if (a.lost) {
            return; // another worker has it
        }
        sync(a);
        trained.incrementAndGet();
        finish(a, code == 0 ? null : "exit " + code + ", see " + log);
    }

    private void finish(Active a, String message) {
        if (!store.finish(a.claim, message)) {
            say("%s %s: lost (its lease lapsed and another worker took it)", a.claim.study(), a.claim.trial().name());
            return;
        }
        say("%s %s: %s", a.claim.study(), a.claim.trial().name(), message == null ? "reached epoch " + a.claim.trial().targetEpochs()
                : "FAILED " + message);
    }

    private void syncAll() {
        for (Active a : active) {
            try {
                sync(a);
            } catch (RuntimeException e) {
                // the store is unreachable for now: the next round tries again, and the lease covers the gap
                say("%s %s: could not reach the store (%s)", a.claim.study(), a.claim.trial().name(), e.getMessage());
            }
        }
    }

    /** Stores the epochs finished since the last call and renews the lease; stops the child when the trial is lost. */
    private synchronized void sync(Active a) {
        if (a.lost) {
            return;
        }
        RunSnapshot snapshot = RunSnapshot.read(a.run);
        RunSnapshot fresh = snapshot != null && snapshot.epoch() > a.stored ? snapshot : null;
        if (!store.progress(a.claim, fresh, options.lease())) {
            a.lost = true;
            a.processes.forEach(Process::destroy);
            say("%s %s: lost its lease; stopped", a.claim.study(), a.claim.trial().name());
        } else if (fresh != null) {
            a.stored = fresh.epoch();
        }
    }

    /** On Ctrl-C or kill: children stopped, their epochs stored, their trials given back at once. */
    private void stop() {
        stopping = true;
        for (Active a : active) {
            a.processes.forEach(Process::destroy);
        }
        for (Active a : List.copyOf(active)) {
            a.processes.forEach(p -> {
                try {
                    p.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            try {
                sync(a);
                store.release(a.claim);
            } catch (RuntimeException e) {
                // its lease lapses instead
            }
        }
    }

    private void say(String format, Object... args) {
        if (out != null) {
            synchronized (out) {
                out.printf(Locale.ROOT, format + "%n", args);
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
