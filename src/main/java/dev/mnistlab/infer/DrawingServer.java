package dev.mnistlab.infer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mnistlab.MnistlabException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A drawing page and a prediction endpoint on 127.0.0.1 only: GET / serves the page, POST /predict takes the
 * canvas as a PNG and answers {digit, probabilities, pixels} as JSON. One worker thread, so the model is
 * never run concurrently.
 */
public final class DrawingServer implements AutoCloseable {

    /** A canvas PNG is a few kB; anything far larger is not from the page. */
    private static final int MAX_BODY = 4 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService worker;
    private final TrainedModel model;

    private DrawingServer(HttpServer server, ExecutorService worker, TrainedModel model) {
        this.server = server;
        this.worker = worker;
        this.model = model;
    }

    /** Starts serving; port 0 picks a free port (see {@link #uri()}). */
    public static DrawingServer start(TrainedModel model, int port) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (BindException e) {
            throw new MnistlabException("port " + port + " on 127.0.0.1 is in use; choose another with --port", e);
        } catch (IOException e) {
            throw new MnistlabException("cannot listen on 127.0.0.1:" + port + " (" + e.getMessage() + ")", e);
        }
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "serve");
            t.setDaemon(true);
            return t;
        });
        DrawingServer ds = new DrawingServer(server, worker, model);
        server.createContext("/", ds::handle);
        server.setExecutor(worker);
        server.start();
        return ds;
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (path.equals("/") && method.equals("GET")) {
                try (InputStream page = DrawingServer.class.getResourceAsStream("/serve/index.html")) {
                    send(ex, 200, "text/html; charset=utf-8", page.readAllBytes());
                }
            } else if (path.equals("/predict") && method.equals("POST")) {
                predict(ex);
            } else if (path.equals("/") || path.equals("/predict")) {
                sendJson(ex, 405, Map.of("error", method + " not allowed on " + path));
            } else {
                sendJson(ex, 404, Map.of("error", "no such page: " + path));
            }
        } finally {
            ex.close(); // HttpExchange is AutoCloseable only from JDK 18
        }
    }

    private void predict(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            sendJson(ex, 413, Map.of("error", "image larger than " + MAX_BODY + " bytes"));
            return;
        }
        float[] pixels;
        try {
            pixels = MnistForm.decode(body, "the posted image");
        } catch (MnistlabException e) {
            // a blank or unreadable canvas is an ordinary answer for the page, not a server failure
            sendJson(ex, 422, Map.of("error", e.getMessage()));
            return;
        }
        Prediction p = model.predict(pixels);
        int[] grey = new int[pixels.length];
        for (int i = 0; i < grey.length; i++) {
            grey[i] = Math.round(pixels[i] * 255);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("digit", p.digit());
        answer.put("probabilities", p.probabilities());
        answer.put("pixels", grey);
        sendJson(ex, 200, answer);
    }

    private static void sendJson(HttpExchange ex, int status, Object value) throws IOException {
        send(ex, status, "application/json", JSON.writeValueAsBytes(value));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        worker.shutdownNow();
    }
}
