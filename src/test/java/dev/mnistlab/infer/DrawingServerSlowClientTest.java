package dev.mnistlab.infer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that open a connection and then send too little, too slowly, held open with real sockets: the page must
 * still answer, and the server must end them itself. Each test has its own server, so what it holds does not
 * slow the others.
 */
class DrawingServerSlowClientTest {

    private static TrainedModel model;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void load(@TempDir Path dir) throws IOException {
        model = TrainedModel.load(InferFixture.shippedRun(dir));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void thePageAnswersWhileSlowClientsHoldConnections() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (DrawingServer server = DrawingServer.start(model, 0)) {
            int port = server.uri().getPort();
            String host = "Host: 127.0.0.1:" + port + "\r\n";
            String png = "POST /predict HTTP/1.1\r\n" + host + "Content-Type: image/png\r\n";
            // once before, so the timed request below measures the server, not the client's start-up
            assertThat(getPage(server, Duration.ofSeconds(20)).statusCode()).isEqualTo(200);
            long start = System.nanoTime();
            held.add(open(port, ""));                                                          // connected, silent
            held.add(open(port, "GE"));                                                        // half a request line
            held.add(open(port, "GET / HTTP/1.1\r\n" + host + "Accept: tex"));                 // headers never finished
            held.add(open(port, png + "Content-Length: 1000\r\n\r\n" + "x".repeat(10)));       // a short body
            held.add(open(port, png + "Content-Length: " + DrawingServer.MAX_BODY + "\r\n\r\n")); // an inflated length
            Thread.sleep(300); // the server has taken them up

            // well inside REQUEST_SECONDS: answered at once, not after the held connections were closed
            HttpResponse<String> page = getPage(server, Duration.ofSeconds(3));
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<canvas id=\"pad\"");

            // and each held connection is closed by the server after its deadline, without an answer
            long deadline = start + Duration.ofSeconds(DrawingServer.REQUEST_SECONDS + 4).toNanos();
            for (Socket s : held) {
                assertThat(closedByServer(s, deadline)).as("connection %d closed by the server", held.indexOf(s)).isTrue();
            }
        } finally {
            closeAll(held);
        }
        assertNoServerThreadLeft();
    }

    /** With every worker held, the page waits, but only until the JDK's request timer frees them. */
    @Test
    void moreSlowClientsThanWorkersDelayThePageOnlyUntilTheirDeadline() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (DrawingServer server = DrawingServer.start(model, 0)) {
            for (int i = 0; i < DrawingServer.WORKERS + 4; i++) {
                held.add(open(server.uri().getPort(), "GE"));
            }
            // The page's request waits in the queue, and the JDK's timer closes a queued request too once its
            // own deadline has passed; asking 1.5 s later keeps that deadline clear of the tick that frees the workers.
            Thread.sleep(1500);
            long start = System.nanoTime();
            HttpResponse<String> page = getPage(server, Duration.ofSeconds(DrawingServer.REQUEST_SECONDS + 4));
            double waited = (System.nanoTime() - start) / 1e9;
            assertThat(page.statusCode()).isEqualTo(200);
            // it did have to wait: the workers were all held
            assertThat(waited).isGreaterThan(1.0);
        } finally {
            closeAll(held);
        }
        assertNoServerThreadLeft();
    }

    private HttpResponse<String> getPage(DrawingServer server, Duration timeout) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(server.uri()).timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Socket open(int port, String sent) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.getOutputStream().write(sent.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        return s;
    }

    /** Whether the server closes {@code s} (end of stream or reset) before {@code deadline} (System.nanoTime). */
    private static boolean closedByServer(Socket s, long deadline) throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            return false;
        }
        s.setSoTimeout((int) left);
        try {
            return s.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true; // reset
        }
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    /** The workers, the JDK's dispatcher and its timers end with close(). */
    private static void assertNoServerThreadLeft() throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        List<String> left;
        do {
            left = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                    .filter(n -> n.startsWith("serve-") || n.equals("HTTP-Dispatcher") || n.endsWith("-timeout-task")).toList();
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < end);
        assertThat(left).as("server threads still running after close()").isEmpty();
    }
}
