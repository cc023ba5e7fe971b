package dev.mnistlab.infer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        var three = InferFixture.render('3', new Font(Font.SANS_SERIF, Font.PLAIN, 200), Color.WHITE, Color.BLACK, 280, 280, 60, 10);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(three, "png", png);
        HttpResponse<String> r = post(png.toByteArray());
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

    private HttpResponse<String> post(byte[] png) throws Exception {
        return http.send(HttpRequest.newBuilder(server.uri().resolve("/predict")).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofByteArray(png)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean onPath(String exe) {
        String path = System.getenv("PATH");
        return path != null && java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, exe)));
    }
}
