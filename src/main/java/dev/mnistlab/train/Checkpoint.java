package dev.mnistlab.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.mnistlab.MnistlabException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything needed to continue a run after its last finished epoch: every parameter and BatchNorm
 * statistic, SGD's momentum buffers, and the position in the schedule. Random streams need no state:
 * each epoch reseeds them from (seed, epoch). Saved through {@link RunFolder#write}, so a kill at any
 * moment leaves the previous checkpoint or the new one, never a torn file.
 */
final class Checkpoint {

    static final String FILE = RunFolder.CHECKPOINT;
    private static final int MAGIC = 0x4d4e4c31; // "MNL1"

    /** What a checkpoint holds, keyed by parameter name (DJL's ids are random per process). */
    record State(int epoch, long step, Map<String, byte[]> parameters, Map<String, byte[]> momentum) {}

    private Checkpoint() {}

    static void save(RunFolder folder, int epoch, long step, Block net, TorchSgd sgd) {
        Map<String, String> idToName = idToName(net);
        folder.write(FILE, stream -> {
            DataOutputStream out = new DataOutputStream(stream);
            out.writeInt(MAGIC);
            out.writeInt(epoch);
            out.writeLong(step);
            Map<String, byte[]> params = new LinkedHashMap<>();
            for (Pair<String, Parameter> p : net.getParameters()) {
                params.put(p.getKey(), p.getValue().getArray().encode());
            }
            writeMap(out, params);
            Map<String, byte[]> momentum = new LinkedHashMap<>();
            if (sgd != null) {
                sgd.momentumBuffers().forEach((id, buf) -> momentum.put(idToName.get(id), buf.encode()));
            }
            writeMap(out, momentum);
            out.flush();
        });
    }

    static State load(RunFolder folder) {
        try (InputStream raw = Files.newInputStream(folder.file(FILE));
             DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(raw))) {
            if (in.readInt() != MAGIC) {
                throw new MnistlabException(folder.file(FILE) + " is not an mnistlab checkpoint");
            }
            int epoch = in.readInt();
            long step = in.readLong();
            return new State(epoch, step, readMap(in), readMap(in));
        } catch (NoSuchFileException e) {
            throw new MnistlabException(folder.dir() + " has no checkpoint (no epoch finished yet); start the run again");
        } catch (IOException e) {
            throw new MnistlabException(folder.file(FILE) + " cannot be read (" + e.getMessage() + ")");
        }
    }

    /** Copies the saved values into the live arrays, so their gradient wiring stays as the trainer made it. */
    static void restore(State state, Block net, NDManager manager, TorchSgd sgd) {
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
        if (sgd != null) {
            state.momentum().forEach((name, bytes) -> {
                NDArray buf = NDArray.decode(manager, bytes);
                sgd.momentumBuffers().put(nameToId.get(name), buf);
            });
        }
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
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            map.put(key, bytes);
        }
        return map;
    }

    static boolean exists(RunFolder folder) {
        return Files.isRegularFile(folder.file(FILE));
    }

}
