package dev.mnistlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.mnistlab.MnistlabException;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * Everything needed to continue a run after its last finished epoch: every parameter and BatchNorm
 * statistic, the optimizer's state (SGD's momentum buffers, Adam's moments), the averaged model when the recipe
 * averages (as one more slot, {@value WeightAverage#SLOT}), and the position in the schedule. Random streams need no state:
 * each epoch reseeds them from (seed, epoch). Saved through {@link RunFolder#write}, so a kill at any
 * moment leaves the previous checkpoint or the new one, never a torn file.
 */
final class Checkpoint {

    static final String FILE = RunFolder.CHECKPOINT;
    private static final int MAGIC_SGD_ONLY = 0x4d4e4c31; // "MNL1": older files, SGD's momentum only
    private static final int MAGIC_UNCHECKED = 0x4d4e4c32; // "MNL2": the optimizer's state by slot
    private static final int MAGIC = 0x4d4e4c33; // "MNL3": MNL2 followed by a CRC-32 of everything before it

    /**
     * What a checkpoint holds, keyed by parameter name (DJL's ids are random per process); the optimizer's
     * state (and the averaged model) by slot (see {@link TorchOptimizer#state()}) and then parameter name.
     */
    record State(int epoch, long step, Map<String, byte[]> parameters, Map<String, Map<String, byte[]>> optimizer) {}

    private Checkpoint() {}

    static void save(RunFolder folder, int epoch, long step, Block net, TorchOptimizer optimizer, WeightAverage average) {
        Map<String, String> idToName = idToName(net);
        folder.write(FILE, stream -> {
            CRC32 crc = new CRC32();
            DataOutputStream out = new DataOutputStream(new CheckedOutputStream(stream, crc));
            out.writeInt(MAGIC);
            out.writeInt(epoch);
            out.writeLong(step);
            Map<String, byte[]> params = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : net.getParameters()) {
                params.put(p.getKey(), p.getValue().getArray().encode());
            }
            writeMap(out, params);
            Map<String, Map<String, NDArray>> slots = slots(optimizer, average);
            out.writeInt(slots.size());
            for (Map.Entry<String, Map<String, NDArray>> slot : slots.entrySet()) {
                Map<String, byte[]> arrays = new LinkedHashMap<>();
                slot.getValue().forEach((id, array) -> arrays.put(idToName.get(id), array.encode()));
                out.writeUTF(slot.getKey());
                writeMap(out, arrays);
            }
            out.flush();
            new DataOutputStream(stream).writeLong(crc.getValue());
        });
    }

    static State load(RunFolder folder) {
        Path file = folder.file(FILE);
        String damaged = file + " is damaged; resume from a copy, or start the run again";
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new MnistlabException(folder.dir() + " has no checkpoint (no epoch finished yet); start the run again");
        } catch (IOException e) {
            throw new MnistlabException(file + " cannot be read (" + e.getMessage() + ")");
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int magic = in.readInt();
            if (magic != MAGIC && magic != MAGIC_UNCHECKED && magic != MAGIC_SGD_ONLY) {
                throw new MnistlabException(file + " is not an mnistlab checkpoint");
            }
            if (magic == MAGIC) {
                CRC32 crc = new CRC32();
                crc.update(bytes, 0, bytes.length - Long.BYTES);
                if (crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - Long.BYTES, Long.BYTES).getLong()) {
                    throw new MnistlabException(damaged + " (its checksum does not match)");
                }
            }
            int epoch = in.readInt();
            long step = in.readLong();
            Map<String, byte[]> parameters = readMap(in);
            Map<String, Map<String, byte[]>> optimizer = new LinkedHashMap<>();
            if (magic == MAGIC_SGD_ONLY) {
                optimizer.put("momentum", readMap(in));
            } else {
                int slots = in.readInt();
                for (int i = 0; i < slots; i++) {
                    optimizer.put(in.readUTF(), readMap(in));
                }
            }
            if (epoch < 1 || step < 0) {
                throw new MnistlabException(damaged + " (epoch " + epoch + ", step " + step + ")");
            }
            return new State(epoch, step, parameters, optimizer);
        } catch (IOException | RuntimeException e) {
            // an older checkpoint has no checksum: a flipped length or count shows up as an impossible read
            throw e instanceof MnistlabException m ? m : new MnistlabException(damaged + " (" + e + ")");
        }
    }

    /**
     * The epoch a checkpoint's bytes were saved after (0 when they are not a checkpoint): what a copy of a run
     * kept elsewhere (a study store) is labelled with.
     */
    static int epochOf(byte[] bytes) {
        if (bytes.length < 2 * Integer.BYTES) {
            return 0;
        }
        ByteBuffer header = ByteBuffer.wrap(bytes, 0, 2 * Integer.BYTES);
        int magic = header.getInt();
        return magic == MAGIC || magic == MAGIC_UNCHECKED || magic == MAGIC_SGD_ONLY ? header.getInt() : 0;
    }

    /** The optimizer's slots, then the averaged model's (none when the recipe does not average). */
    private static Map<String, Map<String, NDArray>> slots(TorchOptimizer optimizer, WeightAverage average) {
        Map<String, Map<String, NDArray>> slots = new LinkedHashMap<>(optimizer.state());
        slots.putAll(average.state());
        return slots;
    }

    /**
     * Copies the saved values into the live arrays, so their gradient wiring stays as the trainer made it,
     * and hands the optimizer and the average their state. Returns false when the checkpoint lacks a slot the
     * optimizer keeps (an Adam run checkpointed by an older mnistlab): that state starts afresh.
     */
    static boolean restore(State state, Block net, NDManager manager, TorchOptimizer optimizer, WeightAverage average) {
        Map<String, String> nameToId = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            byte[] saved = state.parameters().get(p.getKey());
            NDArray live = p.getValue().getArray();
            if (saved == null) {
                throw new MnistlabException("checkpoint has no value for " + p.getKey() + "; it belongs to another model");
            }
            try (NDArray value = NDArray.decode(manager, saved)) {
                if (!value.getShape().equals(live.getShape())) {
                    throw new MnistlabException("checkpoint value for " + p.getKey() + " has shape " + value.getShape()
                            + " but the model needs " + live.getShape());
                }
                // in-place arithmetic keeps the array a gradient leaf; NDArray.set goes through a deprecated libtorch path
                live.muli(0).addi(value);
            }
            nameToId.put(p.getKey(), p.getValue().getId());
        }
        boolean complete = true;
        for (Map.Entry<String, Map<String, NDArray>> slot : slots(optimizer, average).entrySet()) {
            Map<String, byte[]> saved = state.optimizer().get(slot.getKey());
            if (saved == null && slot.getKey().equals(WeightAverage.SLOT)) {
                throw new MnistlabException("the checkpoint holds no averaged weights although the recipe averages; "
                        + "it belongs to another run");
            }
            if (saved == null) {
                complete = false;
                continue;
            }
            saved.forEach((name, bytes) -> slot.getValue().put(nameToId.get(name), NDArray.decode(manager, bytes)));
        }
        optimizer.resumeAfter(state.step());
        return complete;
    }

    private static Map<String, String> idToName(Block net) {
        Map<String, String> map = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : net.getParameters()) {
            map.put(p.getValue().getId(), p.getKey());
        }
        return map;
    }

    private static void writeMap(DataOutputStream out, Map<String, byte[]> map) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, byte[]> e : map.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue().length);
            out.write(e.getValue());
        }
    }

    private static Map<String, byte[]> readMap(DataInputStream in) throws IOException {
        int n = in.readInt();
        Map<String, byte[]> map = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String key = in.readUTF();
            int length = in.readInt();
            if (length < 0 || length > in.available()) {
                throw new IOException("an entry of " + length + " bytes where " + in.available() + " are left");
            }
            byte[] bytes = new byte[length];
            in.readFully(bytes);
            map.put(key, bytes);
        }
        return map;
    }

}
