package dev.mnistlab;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The one YAML mapper: snake_case keys, unknown keys rejected, errors with line numbers. What it reads is
 * held to what our files need, so a mistake is refused instead of read as something else: one document,
 * no duplicated keys (YAML forbids them; the last one used to win), no aliases (Jackson reads {@code *name}
 * as the text "name") nor the anchors of maps and lists they would name, no fractions or text where a whole
 * number belongs (1e9 epochs, batch 1.5), and at most {@link #MAX_BYTES} bytes.
 */
public final class YamlFiles {

    /**
     * The largest YAML file read: 256 KiB. Specs, recipes, journeys, search spaces and run records are a
     * few KB (the largest shipped one is under 4 KB; a 1,000-layer spec is about 30 KB), while SnakeYAML's
     * time on one long scalar grows with the square of its length (4 MB took 4 s, 16 MB 39 s), so a larger
     * file is refused by its size, before any parsing.
     */
    public static final int MAX_BYTES = 256 * 1024;

    public static final ObjectMapper MAPPER = new ObjectMapper(
            new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION))
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private static final Set<Class<?>> WHOLE_NUMBERS = Set.of(int.class, Integer.class, long.class, Long.class);

    private YamlFiles() {}

    public static JsonNode read(Path file) {
        if (Files.isDirectory(file)) {
            throw new MnistlabException(file + ": is a folder, not a YAML file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            requireSize(Files.size(file), file.toString());
            return read(in, file.toString());
        } catch (NoSuchFileException e) {
            throw new MnistlabException(file + ": no such file");
        } catch (IOException e) {
            throw new MnistlabException(file + ": cannot read (" + Folders.reason(e) + ")");
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
        byte[] yaml = in.readNBytes(MAX_BYTES + 1);
        requireSize(yaml.length, name);
        try {
            requireOneDocumentWithoutAliases(yaml, name);
            JsonNode node = MAPPER.readTree(yaml);
            if (node == null || node.isMissingNode()) {
                throw new MnistlabException(name + ": the file is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new MnistlabException(name + describe(e));
        }
    }

    private static void requireSize(long bytes, String name) {
        if (bytes > MAX_BYTES) {
            throw new MnistlabException(String.format(Locale.ROOT,
                    "%s: the file is larger than %d KiB (%,d bytes), the most a YAML file here may hold", name,
                    MAX_BYTES / 1024, MAX_BYTES));
        }
    }

    /**
     * Walks the tokens once before the tree is built: a second document would otherwise be dropped
     * without a word, and an alias read as plain text. Duplicated keys fail here too, in the parser.
     */
    private static void requireOneDocumentWithoutAliases(byte[] yaml, String name) throws IOException {
        try (YAMLParser parser = (YAMLParser) MAPPER.getFactory().createParser(yaml)) {
            int depth = 0;
            int documents = 0;
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (parser.isCurrentAlias() || parser.getCurrentAnchor() != null) {
                    throw new MnistlabException(name + at(parser.currentTokenLocation())
                            + ": YAML anchors and aliases (&name, *name) are not supported; write the value out");
                }
                if (depth == 0 && (token.isStructStart() || token.isScalarValue()) && ++documents > 1) {
                    throw new MnistlabException(name + at(parser.currentTokenLocation())
                            + ": a second YAML document (after '---'); put everything in one document");
                }
                depth += token.isStructStart() ? 1 : token.isStructEnd() ? -1 : 0;
            }
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
            } else if (e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f
                    && WHOLE_NUMBERS.contains(f.getTargetType())) {
                problem = "must be a whole number (got " + f.getValue() + ")";
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
        // Jackson's duplicate detection speaks of JSON fields
        String problem = firstLine(e.getOriginalMessage()).replaceFirst("^Duplicate field '(.*)'$",
                "the key '$1' appears twice in one map; keep one");
        return at(e.getLocation()) + ": YAML syntax error: " + problem;
    }

    private static String at(JsonLocation location) {
        return location == null ? "" : " line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid value";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
