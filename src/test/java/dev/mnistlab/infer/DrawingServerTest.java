package dev.mnistlab.infer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mnistlab.MnistlabException;
import java.awt.Color;
import java.awt.Font;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DrawingServerTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path NODE_DIR = Path.of("src/test/node");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TrainedModel model;
    private static DrawingServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start(@TempDir Path dir) throws IOException {
        model = TrainedModel.load(InferFixture.shippedRun(dir));
        server = DrawingServer.start(model, 0);
    }

    @AfterAll
    static void stop() {
        server.close();
        model.close();
    }

    @Test
    void listensOnLoopbackAndServesThePage() throws Exception {
        assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(server.uri()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("<canvas id=\"pad\"").contains("fetch('predict'");
        assertThat(http.send(HttpRequest.newBuilder(server.uri().resolve("/nope")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
    }

    @Test
    void predictAnswersDigitProbabilitiesAndTheTwentyEightSquareInput() throws Exception {
        HttpResponse<String> r = post(threePng());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode answer = JSON.readTree(r.body());
        assertThat(answer.get("digit").asInt()).isEqualTo(3);
        double sum = 0;
        for (JsonNode p : answer.get("probabilities")) {
            sum += p.asDouble();
        }
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(answer.get("pixels")).hasSize(784);
    }

    @Test
    void aBlankCanvasIsAnErrorThePageCanShow() throws Exception {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(new java.awt.image.BufferedImage(280, 280, java.awt.image.BufferedImage.TYPE_INT_RGB), "png", png);
        HttpResponse<String> r = post(png.toByteArray());
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(r.body()).get("error").asText()).contains("no digit found");
    }

    /** Any web page may post to 127.0.0.1; only the page's own origin is answered. */
    @Test
    void otherOriginsAreRefused() throws Exception {
        byte[] three = threePng();
        int port = server.uri().getPort();
        for (String foreign : new String[] {"https://evil.example", "http://127.0.0.1:" + (port + 1), "null"}) {
            HttpResponse<String> r = post(three, "image/png", foreign);
            assertThat(r.statusCode()).as(foreign).isEqualTo(403);
            assertThat(JSON.readTree(r.body()).get("error").asText()).as(foreign)
                    .isEqualTo("requests from " + foreign + " refused: only the page at " + server.uri() + " may use this server");
        }
        for (String own : new String[] {"http://127.0.0.1:" + port, "http://localhost:" + port}) {
            assertThat(post(three, "image/png", own).statusCode()).as(own).isEqualTo(200);
        }
    }

    /** A DNS-rebinding page reaches 127.0.0.1 under its own name, which the Host header carries. */
    @Test
    void onlyTheServersOwnHostNamesAreAnswered() throws Exception {
        int port = server.uri().getPort();
        assertThat(rawStatus("GET / HTTP/1.1\r\nHost: evil.example:" + port + "\r\n\r\n")).isEqualTo(403);
        assertThat(rawStatus("POST /predict HTTP/1.1\r\nHost: evil.example:" + port
                + "\r\nContent-Type: image/png\r\nContent-Length: 0\r\n\r\n")).isEqualTo(403);
        assertThat(rawStatus("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + (port + 1) + "\r\n\r\n")).isEqualTo(403);
        assertThat(rawStatus("GET / HTTP/1.0\r\n\r\n")).as("no Host at all").isEqualTo(403);
        assertThat(rawStatus("GET / HTTP/1.1\r\nHost: localhost:" + port + "\r\n\r\n")).isEqualTo(200);
        assertThat(rawStatus("GET / HTTP/1.1\r\nHost: LOCALHOST:" + port + "\r\n\r\n")).isEqualTo(200);
        assertThat(rawStatus("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")).isEqualTo(200);
    }

    /** The page posts image/png; a plain form or fetch without a CORS preflight can only send text/plain and the like. */
    @Test
    void onlyTheTypeThePageSendsIsTaken() throws Exception {
        byte[] three = threePng();
        for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
            HttpResponse<String> r = post(three, type, null);
            assertThat(r.statusCode()).as(type).isEqualTo(415);
            assertThat(JSON.readTree(r.body()).get("error").asText()).isEqualTo("Content-Type must be image/png (got " + type + ")");
        }
        assertThat(post(three, null, null).statusCode()).as("no Content-Type").isEqualTo(415);
        assertThat(post(three, "IMAGE/PNG", null).statusCode()).isEqualTo(200);
    }

    /** A Content-Length over the limit is refused from the header: nothing of the body is waited for. */
    @Test
    void tooLargeBodiesAndImageBombsAreRefused() throws Exception {
        int port = server.uri().getPort();
        assertThat(rawStatus("POST /predict HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: image/png\r\n"
                + "Content-Length: " + (DrawingServer.MAX_BODY + 1) + "\r\n\r\n")).isEqualTo(413);
        HttpResponse<String> bomb = post(ImageBomb.of("png", 30000, 30000), "image/png", null);
        assertThat(bomb.statusCode()).isEqualTo(413);
        assertThat(JSON.readTree(bomb.body()).get("error").asText())
                .startsWith("the posted image: the image is 30000x30000 pixels; images may have at most");
    }

    @Test
    void aPortInUseOrForbiddenIsOneClearLine() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> DrawingServer.start(model, port)).isInstanceOf(MnistlabException.class)
                    .hasMessage("--port " + port + ": 127.0.0.1:" + port + " is in use; choose another port, or 0 for a free one");
        }
        // what Linux says to a user without privileges binding below 1024 (this test may run as root, where it binds)
        assertThat(DrawingServer.bindFailure(80, new BindException("Permission denied")).getMessage())
                .isEqualTo("--port 80: permission denied to listen on 127.0.0.1:80 (ports below 1024 need root); "
                        + "choose a port from 1024 to 65535, or 0 for a free one");
    }

    /** The page in headless Chromium: a 7 drawn with the mouse and a 1 drawn with a finger get predictions. */
    @Test
    void aStrokeDrawnInChromiumGetsAPrediction() throws Exception {
        List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(CHROMIUM)) {
            missing.add(CHROMIUM + " (apt-get install -y chromium)");
        }
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules/playwright-core")) || !onPath("node")) {
            missing.add("node with playwright-core in " + NODE_DIR + " (apt-get install -y nodejs npm; npm ci --prefix " + NODE_DIR + ")");
        }
        Assumptions.assumeTrue(missing.isEmpty(), "skipped: the browser test needs " + String.join(" and ", missing));

        Path screenshot = Path.of("target/serve-screenshot.png").toAbsolutePath();
        Process node = new ProcessBuilder("node", "serve-page.mjs", server.uri().toString(), screenshot.toString())
                .directory(NODE_DIR.toFile()).redirectErrorStream(true).start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(2, TimeUnit.MINUTES)).as("node finished").isTrue();
        assertThat(node.exitValue()).as(out).isZero();
        System.out.println("serve page in chromium: " + out.strip());
        String last = out.strip().lines().reduce((a, b) -> b).orElse("");
        JsonNode result = JSON.readTree(last);
        for (String how : new String[] {"mouse", "finger"}) {
            assertThat(result.get(how).get("status").asText()).as(how).startsWith("Prediction: ");
            assertThat(result.get(how).get("percentages")).as(how).hasSize(10);
        }
        assertThat(result.get("mouse").get("digit").asInt()).isEqualTo(7);
        assertThat(result.get("finger").get("digit").asInt()).isEqualTo(1);
        assertThat(screenshot).isNotEmptyFile();
    }

    private static byte[] threePng() throws IOException {
        var three = InferFixture.render('3', new Font(Font.SANS_SERIF, Font.PLAIN, 200), Color.WHITE, Color.BLACK, 280, 280, 60, 10);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(three, "png", png);
        return png.toByteArray();
    }

    private HttpResponse<String> post(byte[] png) throws Exception {
        return post(png, "image/png", null);
    }

    /** A POST to /predict as a browser would send it; a null type or origin leaves that header out. */
    private HttpResponse<String> post(byte[] body, String type, String origin) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri().resolve("/predict")).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) {
            request.header("Content-Type", type);
        }
        if (origin != null) {
            request.header("Origin", origin);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The status of a request written by hand, for what HttpClient will not send (a foreign Host, no Host). */
    private static int rawStatus(String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.uri().getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
            assertThat(status).as("an answer to %s", request).startsWith("HTTP/1.1 ");
            return Integer.parseInt(status.split(" ")[1]);
        }
    }

    private static boolean onPath(String exe) {
        String path = System.getenv("PATH");
        return path != null && java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, exe)));
    }
}
