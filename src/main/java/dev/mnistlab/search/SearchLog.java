package dev.mnistlab.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mnistlab.MnistlabException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * search-log.jsonl: one JSON object per finished piece of work, appended and synced as it happens,
 * so a search that is stopped picks up where it was. A torn last line (power cut mid-write) is ignored.
 */
final class SearchLog {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final List<JsonNode> entries = new ArrayList<>();

    SearchLog(Path file) {
        this.file = file;
        if (Files.exists(file)) {
            try {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    try {
                        entries.add(JSON.readTree(line));
                    } catch (JsonProcessingException torn) {
                        // only ever the last line: it was being written when the search stopped
                    }
                }
            } catch (IOException e) {
                throw new MnistlabException("cannot read " + file + " (" + e.getMessage() + ")");
            }
        }
    }

    ObjectNode entry(String event) {
        return JSON.createObjectNode().put("event", event);
    }

    synchronized void append(ObjectNode entry) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.wrap((JSON.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        } catch (IOException e) {
            throw new MnistlabException("cannot append to " + file + " (" + e.getMessage() + "); free disk space and run the same command again");
        }
        entries.add(entry);
    }

    /** The logged entry for an event and key fields, or null when that work is still to do. */
    synchronized JsonNode find(String event, String key1, long value1, String key2, long value2) {
        for (JsonNode e : entries) {
            if (e.path("event").asText().equals(event) && e.path(key1).asLong() == value1 && e.path(key2).asLong() == value2) {
                return e;
            }
        }
        return null;
    }
}
