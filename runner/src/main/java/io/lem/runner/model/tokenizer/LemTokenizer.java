package io.lem.runner.model.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lem.runner.model.ModelFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A model's tokenizer: HuggingFace {@code tokenizers} (through DJL) over the model's {@code tokenizer.json}, loaded
 * from the file only (never from the network), without truncation or padding (callers truncate), plus the special
 * token ids a generation loop needs.
 *
 * <p><b>BOS.</b> {@link #encode(String)} adds what the tokenizer's {@code post_processor} adds (Llama's
 * TemplateProcessing prepends {@code <s>}, GPT-2's ByteLevel adds nothing), then {@code tokenizer_config.json}'s
 * {@code add_bos_token}, when present, has the last word, as in transformers: {@code true} prepends the BOS id if the
 * post-processor did not, {@code false} removes a BOS the post-processor added.
 *
 * <p><b>Special ids.</b> EOS: {@code generation_config.json}'s {@code eos_token_id} (a number or a list), else
 * {@code config.json}'s, else {@code tokenizer_config.json}'s {@code eos_token} looked up in the vocabulary. BOS and
 * PAD likewise. Models without a pad token (GPT-2, Llama) pad with their first EOS id, as transformers' generate does;
 * padded positions are masked, so the id only needs to be valid.
 *
 * <p>Encoding and decoding are thread-safe. Close to free the native tokenizer.
 */
public final class LemTokenizer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> specialIds;
    private final Set<Integer> specialIdSet;
    private final int vocabSize;
    private final Integer bos;
    private final int[] eos;
    private final Integer pad;
    private final boolean addBos;
    private final Boolean addBosOverride;

    private LemTokenizer(HuggingFaceTokenizer tokenizer, Map<String, Integer> specialIds, int vocabSize, Integer bos,
            int[] eos, Integer pad, boolean addBos, Boolean addBosOverride) {
        this.tokenizer = tokenizer;
        this.specialIds = specialIds;
        this.specialIdSet = Set.copyOf(specialIds.values());
        this.vocabSize = vocabSize;
        this.bos = bos;
        this.eos = eos;
        this.pad = pad;
        this.addBos = addBos;
        this.addBosOverride = addBosOverride;
    }

    /** The tokenizer of a resolved model; a one-line error when it has no {@code tokenizer.json}. */
    public static LemTokenizer load(ModelFiles model) throws IOException {
        if (model.tokenizerJson() == null) {
            throw new IOException(model.displayName() + " has no " + ModelFiles.TOKENIZER
                    + " (lem needs the 'fast' tokenizer file)");
        }
        return load(model.tokenizerJson(), model.tokenizerConfig(), model.config(), model.generationConfig());
    }

    /**
     * @param tokenizerJson     the {@code tokenizer.json} file
     * @param tokenizerConfig   {@code tokenizer_config.json}, or null
     * @param config            {@code config.json}, parsed, or null
     * @param generationConfig  {@code generation_config.json}, parsed, or null
     */
    public static LemTokenizer load(Path tokenizerJson, Path tokenizerConfig, Map<String, Object> config,
            Map<String, Object> generationConfig) throws IOException {
        Objects.requireNonNull(tokenizerJson, "tokenizerJson");
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new IOException("no tokenizer file " + tokenizerJson);
        }
        JsonNode json;
        try {
            json = JSON.readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            throw new IOException(tokenizerJson + " is not valid JSON: " + e.getMessage(), e);
        }
        JsonNode tokConfig = null;
        if (tokenizerConfig != null && Files.isRegularFile(tokenizerConfig)) {
            try {
                tokConfig = JSON.readTree(tokenizerConfig.toFile());
            } catch (IOException e) {
                throw new IOException(tokenizerConfig + " is not valid JSON: " + e.getMessage(), e);
            }
        }
        Vocabulary vocab = Vocabulary.of(json);

        Map<String, String> options = new HashMap<>();
        options.put("addSpecialTokens", "true");
        options.put("truncation", "false");
        options.put("padding", "false");
        // DJL "calls home" (EC2 metadata, then AWS) when creating a tokenizer unless offline or opted out: lem
        // promises no network beyond the hub, so opt out (an OPT_OUT_TRACKING environment variable still wins)
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
        HuggingFaceTokenizer hf;
        try {
            // the file itself, not its directory: DJL would then also apply tokenizer_config.json its own way
            hf = HuggingFaceTokenizer.newInstance(tokenizerJson, options);
        } catch (RuntimeException e) {
            throw new IOException("cannot load tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
        }
        try {
            Integer bos = firstId(generationConfig, config, "bos_token_id");
            if (bos == null) {
                bos = vocab.idOf(tokenName(tokConfig, "bos_token"));
            }
            List<Integer> eosList = ids(generationConfig, "eos_token_id");
            if (eosList.isEmpty()) {
                eosList = ids(config, "eos_token_id");
            }
            if (eosList.isEmpty()) {
                Integer id = vocab.idOf(tokenName(tokConfig, "eos_token"));
                if (id != null) {
                    eosList = List.of(id);
                }
            }
            Integer pad = firstId(generationConfig, config, "pad_token_id");
            if (pad == null) {
                pad = vocab.idOf(tokenName(tokConfig, "pad_token"));
            }
            Boolean override = null;
            if (tokConfig != null && tokConfig.has("add_bos_token") && tokConfig.get("add_bos_token").isBoolean()) {
                override = tokConfig.get("add_bos_token").asBoolean();
            }
            boolean postProcessorAddsBos = false;
            if (bos != null) {
                Encoding probe = hf.encode("a", true, false);
                postProcessorAddsBos = startsWithSpecial(probe, bos);
            }
            boolean addBos = bos != null && (override != null ? override : postProcessorAddsBos);
            int[] eos = eosList.stream().distinct().mapToInt(Integer::intValue).toArray();
            return new LemTokenizer(hf, vocab.special, vocab.size, bos, eos, pad, addBos, override);
        } catch (RuntimeException e) {
            hf.close();
            throw e;
        }
    }

    private static boolean startsWithSpecial(Encoding e, int id) {
        long[] ids = e.getIds();
        long[] special = e.getSpecialTokenMask();
        return ids.length > 0 && ids[0] == id && special.length > 0 && special[0] == 1;
    }

    /** Token ids of {@code text}, with the model's BOS when it adds one (see the class comment). */
    public int[] encode(String text) {
        return encode(text, true);
    }

    /**
     * @param addSpecialTokens false: the bare tokens of the text, no BOS or other post-processing (e.g. to encode a
     *                         continuation)
     */
    public int[] encode(String text, boolean addSpecialTokens) {
        Objects.requireNonNull(text, "text");
        Encoding e = tokenizer.encode(text, addSpecialTokens, false);
        long[] ids = e.getIds();
        int start = 0;
        boolean prepend = false;
        if (addSpecialTokens && bos != null) {
            boolean has = startsWithSpecial(e, bos);
            if (has && !addBos) {
                start = 1;
            } else if (!has && addBos) {
                prepend = true;
            }
        }
        int[] out = new int[ids.length - start + (prepend ? 1 : 0)];
        int j = 0;
        if (prepend) {
            out[j++] = bos;
        }
        for (int i = start; i < ids.length; i++) {
            out[j++] = Math.toIntExact(ids[i]);
        }
        return out;
    }

    /** Text of {@code ids}; {@code skipSpecial} drops special tokens (BOS, EOS, pad, ...). */
    public String decode(int[] ids, boolean skipSpecial) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, skipSpecial);
    }

    /** The ids that end generation, in priority order; empty when the model declares none. */
    public int[] eosTokenIds() {
        return eos.clone();
    }

    public OptionalInt bosTokenId() {
        return bos == null ? OptionalInt.empty() : OptionalInt.of(bos);
    }

    /** The model's pad id; when it has none, its first EOS id; when neither, 0. Padded positions are masked. */
    public int padTokenId() {
        if (pad != null) {
            return pad;
        }
        if (eos.length > 0) {
            return eos[0];
        }
        return 0;
    }

    /** Whether the model declares a pad token of its own (false: {@link #padTokenId()} is the fallback). */
    public boolean hasPadToken() {
        return pad != null;
    }

    /** Whether {@link #encode(String)} starts with the BOS id. */
    public boolean addsBos() {
        return addBos;
    }

    /**
     * Ids the tokenizer knows: one more than the largest id of its vocabulary and added tokens. The model's
     * {@code vocab_size} (embedding rows) may be larger (padded), never smaller.
     */
    public int vocabSize() {
        return vocabSize;
    }

    /** Id of a token string (vocabulary or added token), if any. */
    public OptionalInt tokenId(String token) {
        Integer id = specialIds.get(token);
        if (id == null) {
            long[] ids = tokenizer.encode(token, false, false).getIds();
            if (ids.length == 1) {
                return OptionalInt.of(Math.toIntExact(ids[0]));
            }
            return OptionalInt.empty();
        }
        return OptionalInt.of(id);
    }

    /** Ids of the added tokens marked special (e.g. {@code <s>}, {@code <|endoftext|>}). */
    public Set<Integer> specialTokenIds() {
        return specialIdSet;
    }

    @Override
    public void close() {
        tokenizer.close();
    }

    @Override
    public String toString() {
        return "LemTokenizer[vocab=" + vocabSize + ", bos=" + bos + (addBos ? " (added)" : "") + ", eos="
                + java.util.Arrays.toString(eos) + ", pad=" + padTokenId() + (pad == null ? " (fallback)" : "")
                + (addBosOverride != null ? ", add_bos_token=" + addBosOverride : "") + "]";
    }

    // ---- config lookups

    private static Integer firstId(Map<String, Object> first, Map<String, Object> second, String key) {
        List<Integer> ids = ids(first, key);
        if (ids.isEmpty()) {
            ids = ids(second, key);
        }
        return ids.isEmpty() ? null : ids.get(0);
    }

    /** An id field that may be a number or a list of numbers; empty when absent or null. */
    static List<Integer> ids(Map<String, Object> map, String key) {
        if (map == null) {
            return List.of();
        }
        Object v = map.get(key);
        List<Integer> out = new ArrayList<>();
        if (v instanceof Number) {
            out.add(((Number) v).intValue());
        } else if (v instanceof List) {
            for (Object o : (List<?>) v) {
                if (o instanceof Number) {
                    out.add(((Number) o).intValue());
                }
            }
        }
        return out;
    }

    /** tokenizer_config's {@code bos_token} etc.: a string, or an AddedToken object with {@code content}. */
    private static String tokenName(JsonNode tokConfig, String key) {
        if (tokConfig == null) {
            return null;
        }
        JsonNode v = tokConfig.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isObject() && v.has("content") && v.get("content").isTextual()) {
            return v.get("content").asText();
        }
        return null;
    }

    /** What lem needs of tokenizer.json beyond what DJL exposes: its size and the ids of special tokens. */
    private static final class Vocabulary {
        final Map<String, Integer> special;
        final Map<String, Integer> added;
        final JsonNode modelVocab;
        final int size;

        private Vocabulary(Map<String, Integer> special, Map<String, Integer> added, JsonNode modelVocab, int size) {
            this.special = special;
            this.added = added;
            this.modelVocab = modelVocab;
            this.size = size;
        }

        static Vocabulary of(JsonNode json) {
            Map<String, Integer> special = new HashMap<>();
            Map<String, Integer> added = new HashMap<>();
            int max = -1;
            JsonNode addedTokens = json.get("added_tokens");
            if (addedTokens != null && addedTokens.isArray()) {
                for (JsonNode t : addedTokens) {
                    if (t.has("id") && t.has("content")) {
                        int id = t.get("id").asInt();
                        added.put(t.get("content").asText(), id);
                        if (t.path("special").asBoolean(false)) {
                            special.put(t.get("content").asText(), id);
                        }
                        max = Math.max(max, id);
                    }
                }
            }
            JsonNode vocab = json.path("model").get("vocab");
            if (vocab != null && vocab.isObject()) {
                for (Map.Entry<String, JsonNode> e : vocab.properties()) {
                    max = Math.max(max, e.getValue().asInt());
                }
            } else if (vocab != null && vocab.isArray()) {
                max = Math.max(max, vocab.size() - 1); // Unigram: [piece, score] pairs, id = index
            }
            return new Vocabulary(Collections.unmodifiableMap(special), added, vocab, max + 1);
        }

        Integer idOf(String token) {
            if (token == null) {
                return null;
            }
            Integer id = added.get(token);
            if (id != null) {
                return id;
            }
            if (modelVocab != null && modelVocab.isObject() && modelVocab.has(token)) {
                return modelVocab.get(token).asInt();
            }
            if (modelVocab != null && modelVocab.isArray()) {
                for (int i = 0; i < modelVocab.size(); i++) {
                    JsonNode piece = modelVocab.get(i);
                    if (piece.isArray() && piece.size() > 0 && token.equals(piece.get(0).asText())) {
                        return i;
                    }
                }
            }
            return null;
        }
    }
}
