package io.lem.runner.model.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.runner.model.weights.TensorInfo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A checkpoint split into several safetensors files, described by {@code model.safetensors.index.json}
 * ({@code {"metadata": {...}, "weight_map": {"tensor name": "shard file name", ...}}}). Every shard named by the index
 * is opened and validated up front. Every tensor of every shard is in the store; the index must agree with the
 * shards (a tensor it names is in the shard it names), and no tensor may be in two shards.
 */
public final class ShardedWeights implements SafetensorsStore {

    public static final String INDEX_FILE = "model.safetensors.index.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path index;
    private final List<SafetensorsFile> shards;
    private final Map<String, SafetensorsFile> byTensor;
    private final Set<String> names;
    private final Map<String, String> unsupported;
    private final Map<String, String> metadata;

    private ShardedWeights(Path index, List<SafetensorsFile> shards, Map<String, SafetensorsFile> byTensor,
            Map<String, String> unsupported, Map<String, String> metadata) {
        this.index = index;
        this.shards = List.copyOf(shards);
        this.byTensor = byTensor;
        this.names = Collections.unmodifiableSet(byTensor.keySet());
        this.unsupported = Collections.unmodifiableMap(unsupported);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** Opens the index file and every shard it names (shards live next to the index). */
    public static ShardedWeights open(Path indexFile) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(indexFile));
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException(indexFile + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsFormatException(indexFile + ": not a JSON object");
        }
        JsonNode weightMap = root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new SafetensorsFormatException(indexFile + ": no \"weight_map\" object");
        }
        Map<String, String> tensorToShard = new LinkedHashMap<>();
        Map<String, List<String>> shardToTensors = new TreeMap<>();
        for (Map.Entry<String, JsonNode> f : weightMap.properties()) {
            if (!f.getValue().isTextual()) {
                throw new SafetensorsFormatException(indexFile + ": weight_map entry of tensor '" + f.getKey()
                        + "' is not a file name");
            }
            String shard = f.getValue().asText();
            checkShardName(indexFile, f.getKey(), shard);
            tensorToShard.put(f.getKey(), shard);
            shardToTensors.computeIfAbsent(shard, s -> new ArrayList<>()).add(f.getKey());
        }
        if (tensorToShard.isEmpty()) {
            throw new SafetensorsFormatException(indexFile + ": weight_map is empty");
        }
        Path dir = indexFile.toAbsolutePath().getParent();
        for (Map.Entry<String, List<String>> e : shardToTensors.entrySet()) {
            if (!Files.isRegularFile(dir.resolve(e.getKey()))) {
                throw new SafetensorsFormatException("shard " + e.getKey() + " named by " + indexFile.getFileName()
                        + " (for " + e.getValue().size() + " tensors, e.g. '" + e.getValue().get(0)
                        + "') is missing in " + dir);
            }
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode meta = root.get("metadata");
        if (meta != null && meta.isObject()) {
            meta.properties().forEach(f -> metadata.put(f.getKey(), f.getValue().isTextual()
                    ? f.getValue().asText() : f.getValue().toString()));
        }

        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
            Map<String, String> unsupported = new TreeMap<>();
            for (String shardName : shardToTensors.keySet()) {
                SafetensorsFile shard = SafetensorsFile.open(dir.resolve(shardName));
                opened.add(shard);
                for (String t : shard.names()) {
                    SafetensorsFile other = byTensor.putIfAbsent(t, shard);
                    if (other != null) {
                        throw new SafetensorsFormatException("tensor '" + t + "' is in two shards: "
                                + other.path().getFileName() + " and " + shardName + " (" + dir + ")");
                    }
                }
                unsupported.putAll(shard.unsupportedTensors());
            }
            for (Map.Entry<String, String> e : tensorToShard.entrySet()) {
                SafetensorsFile holder = byTensor.get(e.getKey());
                String actual = holder != null ? holder.path().getFileName().toString() : null;
                if (actual == null && unsupported.containsKey(e.getKey())) {
                    continue;
                }
                if (!e.getValue().equals(actual)) {
                    throw new SafetensorsFormatException(indexFile + ": weight_map puts tensor '" + e.getKey()
                            + "' in " + e.getValue() + " but " + (actual == null ? e.getValue()
                            + " has no such tensor" : "it is in " + actual));
                }
            }
            return new ShardedWeights(indexFile, opened, byTensor, unsupported, metadata);
        } catch (IOException | RuntimeException e) {
            for (SafetensorsFile f : opened) {
                try {
                    f.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static void checkShardName(Path indexFile, String tensor, String shard) throws IOException {
        if (shard.isEmpty() || shard.equals(".") || shard.equals("..") || shard.contains("/")
                || shard.contains("\\") || shard.indexOf('\0') >= 0) {
            throw new SafetensorsFormatException(indexFile + ": weight_map names shard '" + shard + "' for tensor '"
                    + tensor + "', which is not a plain file name");
        }
    }

    public Path indexFile() {
        return index;
    }

    /** The shard files, sorted by name. */
    public List<Path> shardFiles() {
        List<Path> out = new ArrayList<>();
        for (SafetensorsFile f : shards) {
            out.add(f.path());
        }
        return out;
    }

    @Override
    public Set<String> names() {
        return names;
    }

    private SafetensorsFile shard(String name) {
        SafetensorsFile f = byTensor.get(name);
        if (f == null) {
            String dtype = unsupported.get(name);
            if (dtype != null) {
                throw new IllegalArgumentException("tensor '" + name + "' of " + index + " has dtype " + dtype
                        + ", which lem cannot convert to float32 (it reads F32, F16 and BF16)");
            }
            throw new IllegalArgumentException("no tensor '" + name + "' in the shards of " + index);
        }
        return f;
    }

    @Override
    public TensorInfo info(String name) {
        return shard(name).info(name);
    }

    @Override
    public float[] floats(String name) throws IOException {
        return shard(name).floats(name);
    }

    @Override
    public void readInto(String name, FloatBuffer dst) throws IOException {
        shard(name).readInto(name, dst);
    }

    @Override
    public ByteBuffer rawBytes(String name) throws IOException {
        return shard(name).rawBytes(name);
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public Map<String, String> unsupportedTensors() {
        return unsupported;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (SafetensorsFile f : shards) {
            try {
                f.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "ShardedWeights[" + index + ", " + shards.size() + " shards, " + byTensor.size() + " tensors]";
    }
}
