package dev.mnistlab;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** The one YAML mapper: snake_case keys, unknown keys rejected, errors with line numbers. */
public final class YamlFiles {

    public static final ObjectMapper MAPPER = new ObjectMapper(
            new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private YamlFiles() {}

    public static JsonNode read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new MnistlabException(file + ": no such file");
        } catch (IOException e) {
            throw new MnistlabException(file + ": cannot read (" + e.getMessage() + ")");
        }
    }

    /** YAML text, e.g. a spec built in code or typed in JShell; {@code name} names it in messages. */
    public static JsonNode parse(String text, String name) {
        try {
            return read(new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)), name);
        } catch (IOException e) {
            throw new MnistlabException(name + ": cannot read (" + e.getMessage() + ")");
        }
    }

    public static JsonNode read(InputStream in, String name) throws IOException {
        try {
            JsonNode node = MAPPER.readTree(in);
            if (node == null || node.isMissingNode()) {
                throw new MnistlabException(name + ": the file is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new MnistlabException(name + describe(e));
        }
    }

    /** Binds a YAML node to a settings class, turning Jackson's complaint into one line naming the key. */
    public static <T> T bind(JsonNode node, Class<T> type, String where) {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            String path = e instanceof com.fasterxml.jackson.databind.JsonMappingException m
                    ? m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                            .reduce((a, b) -> a + "." + b).orElse("")
                    : "";
            String problem = e.getOriginalMessage();
            if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
                problem = "unknown key '" + u.getPropertyName() + "'";
            }
            throw new MnistlabException(where + (path.isEmpty() ? "" : " " + path) + ": " + firstLine(problem));
        }
    }

    /**
     * Binds a YAML node onto {@code defaults}: a key left out keeps the default's value. The blocks named in
     * {@code partialBlocks} are merged key by key as well, so a block given in part keeps the rest of its
     * defaults; any other block given replaces the default's whole, read as written.
     */
    public static <T> T bind(JsonNode node, T defaults, String where, String... partialBlocks) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) defaults.getClass();
        if (!node.isObject()) {
            return bind(node, type, where); // Jackson's own complaint about the shape
        }
        ObjectNode merged = MAPPER.valueToTree(defaults);
        List<String> partial = List.of(partialBlocks);
        node.fields().forEachRemaining(e -> {
            if (partial.contains(e.getKey()) && merged.get(e.getKey()) instanceof ObjectNode block
                    && e.getValue() instanceof ObjectNode given) {
                block.setAll(given);
            } else {
                merged.set(e.getKey(), e.getValue());
            }
        });
        return bind(merged, type, where);
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write YAML", e);
        }
    }

    private static String describe(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null ? "" : " line " + at.getLineNr() + ", column " + at.getColumnNr();
        return where + ": YAML syntax error: " + firstLine(e.getOriginalMessage());
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid value";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
