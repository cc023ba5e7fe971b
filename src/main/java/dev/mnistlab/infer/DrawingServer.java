package dev.mnistlab.infer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
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
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A drawing page and a prediction endpoint on 127.0.0.1 only: GET / serves the page, POST /predict takes the
 * canvas as a PNG and answers {digit, probabilities, pixels} as JSON.
 *
 * <p>A port on 127.0.0.1 is still reachable by every process and every web page of the user, so:
 * <ul>
 * <li>Slow clients. The JDK server reads a request's line, headers and body on an executor thread, blocking, so
 *   a client that sends half a request holds a thread. There are {@link #WORKERS} of them, and the JDK's own
 *   request timer closes a connection whose request is not complete after {@link #REQUEST_SECONDS} (a
 *   connection that sends nothing at all is closed as idle after the same time). Held connections therefore
 *   cannot starve the page for longer than that, and fewer than {@link #WORKERS} of them not at all. (A request
 *   waiting for a worker is on its own deadline too, so in a flood of held connections the page's request may be
 *   closed as well; the next one gets through.)</li>
 * <li>Other web pages. Only Host {@code 127.0.0.1:port} or {@code localhost:port} is answered (a DNS-rebinding
 *   page sends its own name), an Origin other than the page's own is refused (403), and /predict takes only
 *   {@code image/png}, the type the page sends (415), which a foreign page cannot send without a CORS
 *   preflight that this server never grants.</li>
 * <li>Large uploads. A body over {@link #MAX_BODY} is refused from its Content-Length (413), an image whose
 *   header declares more than {@link MnistForm#MAX_SIDE} / {@link MnistForm#MAX_PIXELS} before decoding (413).</li>
 * </ul>
 * The model runs one image at a time ({@link #answer} is synchronized), so only one decoded image is in
 * memory however many workers there are.
 */
public final class DrawingServer implements AutoCloseable {

    /** A canvas PNG is a few kB; anything far larger is not from the page. */
    static final int MAX_BODY = 4 << 20;
    /** Threads reading requests: enough that a few held connections leave the page answering. */
    static final int WORKERS = 8;
    /** Requests waiting for a worker; past this the JDK server closes a new request's connection at once. */
    private static final int WAITING = 32;
    /** Seconds a client has to send the request line, headers and body (the page needs milliseconds). */
    static final int REQUEST_SECONDS = 5;
    /** Seconds from a complete request until the answer has been written. */
    static final int RESPONSE_SECONDS = 10;
    /** Open connections at once, idle ones included; more are closed as they arrive. */
    private static final int MAX_CONNECTIONS = 64;
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // The JDK server reads these once, when its first instance in the JVM is made (mnistlab makes no other);
        // a value the user gives with -D wins.
        defaultProperty("sun.net.httpserver.maxReqTime", REQUEST_SECONDS);
        defaultProperty("sun.net.httpserver.maxRspTime", RESPONSE_SECONDS);
        // how often (ms) idle connections are checked: the default 10 s would let silent connections pile up
        defaultProperty("sun.net.httpserver.clockTick", 1000);
        defaultProperty("jdk.httpserver.maxConnections", MAX_CONNECTIONS);
    }

    private final HttpServer server;
    private final ExecutorService workers;
    private final TrainedModel model;
    /** Host header values this server answers to, lower case. */
    private final Set<String> ownHosts;
    /** Origin header values of the page itself, lower case. */
    private final Set<String> ownOrigins;
    /** Closed with the server when the server loaded it. */
    private boolean ownsModel;

    private DrawingServer(HttpServer server, ExecutorService workers, TrainedModel model) {
        this.server = server;
        this.workers = workers;
        this.model = model;
        int port = server.getAddress().getPort();
        // a browser leaves out the default port
        this.ownHosts = port == 80 ? Set.of("127.0.0.1:80", "localhost:80", "127.0.0.1", "localhost")
                : Set.of("127.0.0.1:" + port, "localhost:" + port);
        this.ownOrigins = ownHosts.stream().map(h -> "http://" + h).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Loads the finished run in {@code runDir} and serves it; the server owns the model and closes it with
     * itself. Port 0 picks a free port (see {@link #uri()}).
     */
    public static DrawingServer start(java.nio.file.Path runDir, int port) {
        TrainedModel model = TrainedModel.load(runDir);
        try {
            DrawingServer server = start(model, port);
            server.ownsModel = true;
            return server;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Starts serving {@code model}, which stays the caller's to close; port 0 picks a free port (see {@link #uri()}). */
    public static DrawingServer start(TrainedModel model, int port) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (BindException e) {
            throw bindFailure(port, e);
        } catch (IOException e) {
            throw new MnistlabException("--port " + port + ": cannot listen on 127.0.0.1:" + port + " (" + e.getMessage() + ")", e);
        }
        AtomicInteger count = new AtomicInteger();
        ExecutorService workers = new ThreadPoolExecutor(WORKERS, WORKERS, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(WAITING), r -> {
            Thread t = new Thread(r, "serve-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        DrawingServer ds = new DrawingServer(server, workers, model);
        server.createContext("/", ds::handle);
        server.setExecutor(workers);
        server.start();
        return ds;
    }

    /** Linux says EACCES for a port below 1024 without privileges and EADDRINUSE for a taken one; both are BindExceptions. */
    static MnistlabException bindFailure(int port, BindException e) {
        String reason = String.valueOf(e.getMessage());
        if (reason.toLowerCase(Locale.ROOT).contains("permission denied")) {
            return new MnistlabException("--port " + port + ": permission denied to listen on 127.0.0.1:" + port
                    + " (ports below 1024 need root); choose a port from 1024 to 65535, or 0 for a free one", e);
        }
        if (reason.toLowerCase(Locale.ROOT).contains("in use")) {
            return new MnistlabException("--port " + port + ": 127.0.0.1:" + port + " is in use; choose another port, or 0 for a free one", e);
        }
        return new MnistlabException("--port " + port + ": cannot listen on 127.0.0.1:" + port + " (" + reason + "); choose another port", e);
    }

    /** The name of the experiment being served. */
    public String modelName() {
        return model.experiment().name();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            route(ex);
        } finally {
            ex.close(); // HttpExchange is AutoCloseable only from JDK 18
        }
    }

    private void route(HttpExchange ex) throws IOException {
        Headers headers = ex.getRequestHeaders();
        String host = headers.getFirst("Host");
        if (host == null || !ownHosts.contains(host.toLowerCase(Locale.ROOT))) {
            sendError(ex, 403, "Host " + host + " refused: open the page at " + uri());
            return;
        }
        String origin = headers.getFirst("Origin");
        if (origin != null && !ownOrigins.contains(origin.toLowerCase(Locale.ROOT))) {
            sendError(ex, 403, "requests from " + origin + " refused: only the page at " + uri() + " may use this server");
            return;
        }
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        if (path.equals("/") && method.equals("GET")) {
            try (InputStream page = DrawingServer.class.getResourceAsStream("/serve/index.html")) {
                send(ex, 200, "text/html; charset=utf-8", page.readAllBytes());
            }
        } else if (path.equals("/predict") && method.equals("POST")) {
            predict(ex);
        } else if (path.equals("/") || path.equals("/predict")) {
            sendError(ex, 405, method + " not allowed on " + path);
        } else {
            sendError(ex, 404, "no such page: " + path);
        }
    }

    private void predict(HttpExchange ex) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.split(";", 2)[0].strip().equalsIgnoreCase("image/png")) {
            sendError(ex, 415, "Content-Type must be image/png (got " + type + ")");
            return;
        }
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        // the JDK server has already refused a Content-Length that is not a number
        if (length != null && Long.parseLong(length.strip()) > MAX_BODY) {
            sendError(ex, 413, "image larger than " + MAX_BODY + " bytes");
            return;
        }
        byte[] body = ex.getRequestBody().readNBytes(MAX_BODY + 1); // chunked bodies have no Content-Length
        if (body.length > MAX_BODY) {
            sendError(ex, 413, "image larger than " + MAX_BODY + " bytes");
            return;
        }
        try {
            sendJson(ex, 200, answer(body));
        } catch (MnistForm.TooLarge e) {
            sendError(ex, 413, e.getMessage());
        } catch (MnistlabException e) {
            // a blank or unreadable canvas is an ordinary answer for the page, not a server failure
            sendError(ex, 422, e.getMessage());
        }
    }

    /** Decodes and predicts, one image at a time: the model is never run concurrently. */
    private synchronized Map<String, Object> answer(byte[] png) {
        float[] pixels = MnistForm.decode(png, "the posted image");
        Prediction p = model.predict(pixels);
        int[] grey = new int[pixels.length];
        for (int i = 0; i < grey.length; i++) {
            grey[i] = Math.round(pixels[i] * 255);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("digit", p.digit());
        answer.put("probabilities", p.probabilities());
        answer.put("pixels", grey);
        return answer;
    }

    private static void sendError(HttpExchange ex, int status, String message) throws IOException {
        sendJson(ex, status, Map.of("error", message));
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

    private static void defaultProperty(String name, int value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, Integer.toString(value));
        }
    }

    /** Stops listening, closes every connection and ends the worker threads. */
    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsModel) {
            model.close();
        }
    }
}
