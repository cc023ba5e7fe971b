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
import java.util.concurrent.CountDownLatch;
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
     * @param folders  where a study's run folders go (a trial's folder is relative to it, and must stay inside it)
     * @param dataDir  the MNIST folder the children read, already checked against the study's fingerprint
     * @param data     that folder's fingerprint ({@link dev.mnistlab.data.MnistSource#fingerprint})
     * @param lease    how long a claim holds without renewal (renewed every second while its trial trains), at
     *                 least {@link #MIN_LEASE}
     */
    public record Options(String study, java.util.function.Function<String, Path> folders, Path dataDir, String data,
                          int parallel, Duration lease) {
        public Options {
            if (lease.compareTo(MIN_LEASE) < 0) {
                throw new MnistlabException("a lease of " + lease.toMillis() / 1000.0 + " s is too short: a worker renews "
                        + "its claims every second, so a lease needs at least " + MIN_LEASE.toSeconds() + " s");
            }
        }
    }

    /**
     * The shortest lease: claims are renewed every second, and a store that answers a few seconds late must not
     * hand a trial that is training to another worker.
     */
    public static final Duration MIN_LEASE = Duration.ofSeconds(5);

    /**
     * {@link #run} ended because this process is stopping (Ctrl-C, SIGTERM): its trials went back to the store, the
     * study is not finished, and nothing should be written from it.
     */
    public static final class Stopped extends MnistlabException {
        Stopped(String where) {
            super("stopped; the trials in training went back to the " + where + ": run the same command again to continue");
        }
    }

    /** A trial being trained: its claim, where, its child process and whether the store still says it is ours. */
    private static final class Active {
        final StudyStore.Claim claim;
        final Path run;
        final Set<Process> processes = ConcurrentHashMap.newKeySet();
        volatile int stored;
        volatile boolean lost;
        boolean givenBack;

        Active(StudyStore.Claim claim, Path run) {
            this.claim = claim;
            this.run = run;
            this.stored = claim.trial().epochsDone();
        }
    }

    private static final Duration SYNC = Duration.ofSeconds(1);
    /** A trial whose training this worker saw killed by a signal this often fails instead of going back again. */
    static final int SIGNAL_KILLS = 3;
    /** How long a worker waits before it tries a store that failed again. */
    private static final Duration RETRY = Duration.ofSeconds(5);
    /** How long {@link #run} waits for the shutdown hook to give its trials back before the store may be closed. */
    private static final Duration STOPPING = Duration.ofSeconds(90);

    private final StudyStore store;
    private final ChildTraining children;
    private final Options options;
    private final PrintStream out;
    private final String id;
    private final Set<Active> active = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicInteger trained = new java.util.concurrent.atomic.AtomicInteger();
    /** Per trial ("study/id"): how often this worker saw its training killed by a signal. */
    private final java.util.Map<String, Integer> signalKills = new ConcurrentHashMap<>();

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

    /**
     * Trains until the studies served are finished (waiting while there is none yet); returns the trainings run.
     *
     * @throws Stopped when this process is stopping (its shutdown hook gave the trials back before this returns)
     */
    public int run() {
        sayWhatIsMissing();
        releaseGone();
        Thread hook = new Thread(this::stop);
        Runtime.getRuntime().addShutdownHook(hook);
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
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MnistlabException("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof MnistlabException m ? m : new IllegalStateException(e.getCause());
        } finally {
            slots.shutdownNow();
            sync.shutdownNow();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
        if (stopping) {
            awaitStop();
            throw new Stopped(store.where());
        }
        return trained.get();
    }

    /**
     * Gives back the trials of this machine's dead workers (a search killed and run again goes on at once). One whose
     * lease was renewed a moment ago is asked about again a moment later: by then a live worker (in another container
     * with this host name) has renewed it again, a dead one has not.
     */
    private void releaseGone() {
        java.util.function.LongPredicate alive = pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        if (store.releaseGone(host(), alive, options.lease())) {
            sleep(StudyStore.RENEWED_RECENTLY);
            store.releaseGone(host(), alive, options.lease());
        }
    }

    /** One line when what this worker serves is not in the store yet: it waits for it rather than ending. */
    private void sayWhatIsMissing() {
        List<StudyStore.Study> studies = store.studies();
        if (options.study() != null) {
            if (studies.stream().noneMatch(s -> s.name().equals(options.study()))) {
                say("Study '%s' is not in the %s yet: waiting for a search or seed sweep to create it (Ctrl-C to stop)",
                        options.study(), store.where());
            }
            return;
        }
        for (StudyStore.Study s : studies) {
            if (!s.finished() && !s.data().equals(options.data())) {
                say("Skipping %s", store.dataMismatch(s.name()));
            }
        }
        if (studies.stream().noneMatch(s -> s.data().equals(options.data()))) {
            say("No study on these MNIST files in the %s yet: waiting for a search or seed sweep to create one "
                    + "(Ctrl-C to stop)", store.where());
        }
    }

    private void work(String worker) {
        while (!stopping) {
            Optional<StudyStore.Claim> claim;
            boolean finished;
            try {
                claim = store.claim(worker, options.study(), options.data(), options.lease());
                finished = claim.isEmpty() && finished();
            } catch (StudyStore.Failed e) {
                say("%s; trying again in %d s", e.what(), RETRY.toSeconds());
                sleep(RETRY);
                continue;
            }
            if (claim.isPresent()) {
                train(claim.get());
            } else if (finished) {
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
        Path run = runFolder(claim);
        if (run == null) {
            finish(claim, "its folder '" + trial.folder() + "' in the store is not inside the study's folder; refused");
            return;
        }
        Active a = new Active(claim, run);
        if (trial.epochsDone() >= trial.targetEpochs()) {
            // its worker stored the stage's last epoch and died before saying so
            finish(claim, null);
            return;
        }
        RunSnapshot adopted = null;
        try {
            if (claim.snapshot() != null) {
                claim.snapshot().restore(run);
            } else {
                RunSnapshot earlier = RunSnapshot.read(run);
                if (earlier != null && earlier.epoch() <= trial.targetEpochs()
                        && earlier.trains(trial.experiment(), trial.validation(), trial.limitTrain())) {
                    adopted = earlier; // this trial's own run, trained before (train --seed N into a sweep's folder)
                } else {
                    RunSnapshot.clear(run); // what an earlier run left there is not this trial's progress
                }
            }
        } catch (MnistlabException e) {
            // another process holds the folder, or it cannot be written: giving the trial back would have this worker
            // claim it again at once, for ever (a sweep that never ends), so it fails with the reason
            finish(claim, "cannot use " + run + " (" + e.getMessage() + ")");
            return;
        }
        if (adopted != null) {
            RunSnapshot found = adopted;
            Boolean held = retrying(() -> store.progress(claim, found, options.lease()));
            if (!Boolean.TRUE.equals(held)) {
                return; // lost, or stopping while the store was away: the lease lapses
            }
            a.stored = found.epoch();
            say("%s %s: %s holds a run of it up to epoch %d; taken as its progress", claim.study(), trial.name(), run,
                    found.epoch());
            if (found.epoch() >= trial.targetEpochs()) {
                finish(claim, null);
                return;
            }
        }
        boolean resume = claim.snapshot() != null || adopted != null;
        say("%s %s: %s to epoch %d [%s]", claim.study(), trial.name(), !resume ? "starting"
                : "resuming after epoch " + (adopted != null ? adopted.epoch() : trial.epochsDone()), trial.targetEpochs(),
                claim.worker());
        var experiment = trial.toExperiment();
        Integer stopAfter = trial.targetEpochs() < experiment.recipe().epochs() ? trial.targetEpochs() : null;
        TrainRequest request = new TrainRequest(run, resume, trial.validation(), trial.limitTrain(),
                stopAfter, 1, options.dataDir(), experiment);
        Path log = run.resolveSibling(run.getFileName() + ".log");
        active.add(a);
        if (stopping) { // stopped between the claim and here: no child to start
            active.remove(a);
            giveBack(a);
            return;
        }
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
        if (code > 128 && signalKills.merge(claim.study() + "/" + trial.id(), 1, Integer::sum) < SIGNAL_KILLS) {
            // killed by a signal: Ctrl-C and systemd signal the whole process group, children first or not; not the
            // trial's fault, so it goes back with what it stored, for this worker (unless stopping) or another
            retrying(() -> giveBack(a));
            say("%s %s: its training was stopped by a signal (exit %d); given back", claim.study(), trial.name(), code);
            sleep(SYNC);
            return;
        }
        retrying(() -> sync(a));
        trained.incrementAndGet();
        // killed again and again (the kernel's out-of-memory killer, say): going back once more would loop for ever
        finish(claim, code == 0 ? null : code > 128 ? "its training was killed by a signal " + SIGNAL_KILLS
                + " times (the last exit " + code + "; out of memory?), see " + log : "exit " + code + ", see " + log);
    }

    /**
     * The trial's run folder: its folder in the store, resolved inside the study's folder; null when it would leave
     * it ("../x", "/x"), so a store's row cannot make a worker empty or write some other folder.
     */
    private Path runFolder(StudyStore.Claim claim) {
        Path study = options.folders().apply(claim.study()).toAbsolutePath().normalize();
        try {
            Path run = study.resolve(claim.trial().folder()).normalize();
            return run.startsWith(study) && !run.equals(study) ? run : null;
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    private void finish(StudyStore.Claim claim, String message) {
        Boolean held = retrying(() -> store.finish(claim, message));
        if (held == null) {
            return; // stopping while the store was away: the lease lapses and another worker ends it
        }
        if (!held) {
            say("%s %s: lost (its lease lapsed and another worker took it)", claim.study(), claim.trial().name());
            return;
        }
        say("%s %s: %s", claim.study(), claim.trial().name(), message == null ? "reached epoch " + claim.trial().targetEpochs()
                : "FAILED " + message);
    }

    /**
     * Runs {@code step} until the store takes it, saying one line per failure and waiting between tries; null
     * when this process stops first.
     */
    private <T> T retrying(java.util.function.Supplier<T> step) {
        while (true) {
            try {
                return step.get();
            } catch (StudyStore.Failed e) {
                if (stopping) {
                    return null;
                }
                say("%s; trying again in %d s", e.what(), RETRY.toSeconds());
                sleep(RETRY);
            }
        }
    }

    private void retrying(Runnable step) {
        retrying(() -> {
            step.run();
            return Boolean.TRUE;
        });
    }

    private void syncAll() {
        for (Active a : active) {
            try {
                syncActive(a);
            } catch (RuntimeException e) {
                // the store is unreachable for now: the next round tries again (on a new connection), and the lease
                // covers the gap
                say("%s %s: could not store its progress (%s)", a.claim.study(), a.claim.trial().name(),
                        e instanceof StudyStore.Failed f ? f.what() : e.getMessage());
            }
        }
    }

    /** {@link #sync} while the trial trains: once its slot has taken it out to finish it, the slot stores the rest. */
    private synchronized void syncActive(Active a) {
        if (active.contains(a)) {
            sync(a);
        }
    }

    /** Stores the epochs finished since the last call and renews the lease; stops the child when the trial is lost. */
    private synchronized void sync(Active a) {
        if (a.lost || a.givenBack) {
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

    /** Stores the trial's last epochs and gives it back, once (the slot and the shutdown hook may both try). */
    private synchronized void giveBack(Active a) {
        sync(a);
        if (!a.lost && !a.givenBack) {
            store.release(a.claim);
            a.givenBack = true;
        }
    }

    /**
     * On Ctrl-C or kill (the shutdown hook): children stopped, their epochs stored, their trials given back at once,
     * and one line on how to continue (here: once the hook ends the JVM halts, and what the caller says may be lost).
     */
    void stop() {
        stopping = true;
        try {
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
                    giveBack(a);
                } catch (RuntimeException e) {
                    // its lease lapses instead
                }
            }
            System.err.println("\nStopped; the trials and checkpoints are in the " + store.where()
                    + ". Run the same command again to continue.");
        } finally {
            stopped.countDown();
        }
    }

    /** Until the shutdown hook has given the trials back: the caller closes the store next. */
    private void awaitStop() {
        try {
            stopped.await(STOPPING.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
