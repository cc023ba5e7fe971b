package dev.mnistlab.cli;

import dev.mnistlab.MnistlabException;
import dev.mnistlab.infer.DrawingServer;
import dev.mnistlab.api.Mnistlab;
import dev.mnistlab.api.Run;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a page on 127.0.0.1 where you draw a digit with the mouse or a finger and see the run's "
                + "prediction and probabilities live. Stop with Ctrl-C.")
final class ServeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A finished run folder (experiment.yaml + weights.params).")
    Path run;

    @Option(names = "--port", defaultValue = "8080", description = "Port on 127.0.0.1 (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new MnistlabException("--port " + port + " is not a port number; use 1024 to 65535, or 0 to pick a free one");
        }
        DrawingServer server = Mnistlab.serve(Run.open(run), port);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("Serving " + server.modelName() + " from " + run + " at " + server.uri() + " (Ctrl-C to stop)");
        new CountDownLatch(1).await();
        return 0;
    }
}
