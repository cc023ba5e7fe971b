package dev.mnistlab.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Debian's headless Chromium, run the way CI can: as root, no sandbox, no GPU, nothing phoning home. */
final class Chromium {

    private static final List<String> CANDIDATES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser");

    private Chromium() {}

    static Path find() {
        return CANDIDATES.stream().map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
    }

    /** The DOM after the page's load event (and its scripts) as Chromium serialises it. */
    static String dumpDom(Path browser, Path page, Path scratch) throws IOException, InterruptedException {
        Path out = scratch.resolve("dom.html");
        run(browser, scratch, out, "--dump-dom", "--virtual-time-budget=10000", page.toUri().toString());
        return Files.readString(out);
    }

    private static void run(Path browser, Path scratch, Path stdout, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(browser.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--user-data-dir=" + Files.createTempDirectory(scratch, "profile")));
        command.addAll(List.of(args));
        Path stderr = scratch.resolve("chromium-stderr.log");
        Process process = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("chromium did not finish in 120 s: " + String.join(" ", command));
        }
        if (process.exitValue() != 0) {
            throw new IOException("chromium exited with " + process.exitValue() + ": " + Files.readString(stderr));
        }
    }
}
