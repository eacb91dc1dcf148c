package io.lem.runner.model.synth;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level BPE tokenizer in HuggingFace {@code tokenizer.json} form: the 256 byte symbols of GPT-2's
 * bytes-to-unicode mapping (so any UTF-8 text encodes and decodes back exactly), a few English merges, the special
 * tokens of the architecture, and unreachable placeholder tokens {@code <|pad_N|>} up to the model's vocab size.
 *
 * <ul>
 *   <li>llama: {@code <unk>}=0, {@code <s>}=1, {@code </s>}=2, bytes from 3; the post-processor prepends {@code <s>}
 *   <li>gpt2: bytes from 0, merges, then {@code <|endoftext|>} (bos = eos); nothing is added
 * </ul>
 */
final class SynthTokenizer {

    static final String[] MERGES = {
        "Ġ t", "h e", "i n", "e r", "a n", "o n", "Ġt he", "r e", "Ġ a", "Ġ s", "e n", "a t", "o u", "Ġ w", "i s",
        "e d", "n d", "Ġ o", "Ġ c", "in g", "Ġ b", "Ġ f", "l l", "Ġ h", "o r", "Ġ m", "a r", "e s", "l e", "Ġ p",
    };

    /** Ids and names of the special tokens. */
    record Specials(int bos, int eos, Integer unk, String bosToken, String eosToken, String unkToken) {
    }

    private SynthTokenizer() {
    }

    static int coreSize(String arch) {
        return (arch.equals(SynthSpec.LLAMA) ? 3 : 1) + 256 + MERGES.length;
    }

    /** GPT-2's reversible map from bytes to printable unicode characters. */
    static char[] byteSymbols() {
        char[] map = new char[256];
        boolean[] direct = new boolean[256];
        for (int b = '!'; b <= '~'; b++) {
            direct[b] = true;
        }
        for (int b = 0xA1; b <= 0xAC; b++) {
            direct[b] = true;
        }
        for (int b = 0xAE; b <= 0xFF; b++) {
            direct[b] = true;
        }
        int next = 0;
        for (int b = 0; b < 256; b++) {
            map[b] = direct[b] ? (char) b : (char) (256 + next++);
        }
        return map;
    }

    static Specials specials(String arch) {
        if (arch.equals(SynthSpec.LLAMA)) {
            return new Specials(1, 2, 0, "<s>", "</s>", "<unk>");
        }
        int eot = 256 + MERGES.length;
        return new Specials(eot, eot, null, "<|endoftext|>", "<|endoftext|>", "<|endoftext|>");
    }

    /** Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json into {@code dir}. */
    static void write(SynthSpec spec, Path dir) throws IOException {
        boolean llama = spec.arch().equals(SynthSpec.LLAMA);
        Specials sp = specials(spec.arch());
        Map<String, Integer> vocab = new LinkedHashMap<>();
        List<String[]> added = new ArrayList<>(); // content, id
        if (llama) {
            vocab.put("<unk>", 0);
            vocab.put("<s>", 1);
            vocab.put("</s>", 2);
        }
        for (char c : byteSymbols()) {
            vocab.put(String.valueOf(c), vocab.size());
        }
        for (String merge : MERGES) {
            vocab.put(merge.replace(" ", ""), vocab.size());
        }
        if (!llama) {
            vocab.put("<|endoftext|>", vocab.size());
        }
        if (vocab.size() != coreSize(spec.arch())) {
            throw new IllegalStateException("synthetic vocabulary has " + vocab.size() + " tokens, expected "
                    + coreSize(spec.arch()));
        }
        for (int i = 0; vocab.size() < spec.vocab(); i++) {
            vocab.put("<|pad_" + i + "|>", vocab.size());
        }

        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode addedTokens = root.putArray("added_tokens");
        if (llama) {
            addToken(addedTokens, 0, "<unk>");
            addToken(addedTokens, 1, "<s>");
            addToken(addedTokens, 2, "</s>");
        } else {
            addToken(addedTokens, sp.eos(), "<|endoftext|>");
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel");
        pre.put("add_prefix_space", false);
        pre.put("trim_offsets", true);
        pre.put("use_regex", true);
        if (llama) {
            ObjectNode post = root.putObject("post_processor");
            post.put("type", "TemplateProcessing");
            ArrayNode single = post.putArray("single");
            single.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
            single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
            ArrayNode pair = post.putArray("pair");
            pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
            pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
            pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 1);
            pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
            ObjectNode st = post.putObject("special_tokens").putObject("<s>");
            st.put("id", "<s>");
            st.putArray("ids").add(1);
            st.putArray("tokens").add("<s>");
        } else {
            ObjectNode post = root.putObject("post_processor");
            post.put("type", "ByteLevel");
            post.put("add_prefix_space", true);
            post.put("trim_offsets", false);
            post.put("use_regex", true);
        }
        ObjectNode dec = root.putObject("decoder");
        dec.put("type", "ByteLevel");
        dec.put("add_prefix_space", true);
        dec.put("trim_offsets", true);
        dec.put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        if (llama) {
            model.put("unk_token", "<unk>");
        } else {
            model.putNull("unk_token");
        }
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode v = model.putObject("vocab");
        vocab.forEach(v::put);
        ArrayNode merges = model.putArray("merges");
        for (String m : MERGES) {
            merges.add(m);
        }
        ModelSynth.writeJson(dir.resolve("tokenizer.json"), root);

        Map<String, Object> tc = new LinkedHashMap<>();
        tc.put("add_bos_token", llama);
        tc.put("add_eos_token", false);
        tc.put("bos_token", sp.bosToken());
        tc.put("clean_up_tokenization_spaces", false);
        tc.put("eos_token", sp.eosToken());
        tc.put("model_max_length", spec.maxPositions());
        tc.put("pad_token", null);
        tc.put("tokenizer_class", llama ? "PreTrainedTokenizerFast" : "GPT2Tokenizer");
        tc.put("unk_token", sp.unkToken());
        ModelSynth.writeJson(dir.resolve("tokenizer_config.json"), tc);

        Map<String, Object> stm = new LinkedHashMap<>();
        stm.put("bos_token", sp.bosToken());
        stm.put("eos_token", sp.eosToken());
        stm.put("unk_token", sp.unkToken());
        ModelSynth.writeJson(dir.resolve("special_tokens_map.json"), stm);
    }

    private static void addToken(ArrayNode added, int id, String content) {
        ObjectNode t = added.addObject();
        t.put("id", id);
        t.put("content", content);
        t.put("single_word", false);
        t.put("lstrip", false);
        t.put("rstrip", false);
        t.put("normalized", false);
        t.put("special", true);
    }
}
