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
 *   <li>t5: {@code <pad>}=0 (also the decoder start), {@code </s>}=1, {@code <unk>}=2, bytes from 3; the
 *   post-processor appends {@code </s>}
 *   <li>bart: {@code <s>}=0, {@code <pad>}=1, {@code </s>}=2 (also the decoder start), {@code <unk>}=3, bytes from
 *   4; the post-processor wraps the input in {@code <s> ... </s>}
 * </ul>
 */
final class SynthTokenizer {

    static final String[] MERGES = {
        "Ġ t", "h e", "i n", "e r", "a n", "o n", "Ġt he", "r e", "Ġ a", "Ġ s", "e n", "a t", "o u", "Ġ w", "i s",
        "e d", "n d", "Ġ o", "Ġ c", "in g", "Ġ b", "Ġ f", "l l", "Ġ h", "o r", "Ġ m", "a r", "e s", "l e", "Ġ p",
    };

    /** Ids and names of the special tokens; {@code bos} is null for t5 (no BOS), {@code pad} null without one. */
    record Specials(Integer bos, int eos, Integer unk, String bosToken, String eosToken, String unkToken, Integer pad,
            String padToken) {
    }

    private SynthTokenizer() {
    }

    static int coreSize(String arch) {
        return leading(arch).size() + (arch.equals(SynthSpec.GPT2) ? 1 : 0) + 256 + MERGES.length;
    }

    /** The special tokens before the byte symbols, in id order (gpt2 has none: its one special token is last). */
    static List<String> leading(String arch) {
        switch (arch) {
            case SynthSpec.LLAMA:
                return List.of("<unk>", "<s>", "</s>");
            case SynthSpec.T5:
                return List.of("<pad>", "</s>", "<unk>");
            case SynthSpec.BART:
                return List.of("<s>", "<pad>", "</s>", "<unk>");
            default:
                return List.of();
        }
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
        switch (arch) {
            case SynthSpec.LLAMA:
                return new Specials(1, 2, 0, "<s>", "</s>", "<unk>", null, null);
            case SynthSpec.T5:
                return new Specials(null, 1, 2, null, "</s>", "<unk>", 0, "<pad>");
            case SynthSpec.BART:
                return new Specials(0, 2, 3, "<s>", "</s>", "<unk>", 1, "<pad>");
            default:
                int eot = 256 + MERGES.length;
                return new Specials(eot, eot, null, "<|endoftext|>", "<|endoftext|>", "<|endoftext|>", null, null);
        }
    }

    /** Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json into {@code dir}. */
    static void write(SynthSpec spec, Path dir) throws IOException {
        boolean llama = spec.arch().equals(SynthSpec.LLAMA);
        boolean gpt2 = spec.arch().equals(SynthSpec.GPT2);
        Specials sp = specials(spec.arch());
        Map<String, Integer> vocab = new LinkedHashMap<>();
        List<String> leading = leading(spec.arch());
        for (String token : leading) {
            vocab.put(token, vocab.size());
        }
        for (char c : byteSymbols()) {
            vocab.put(String.valueOf(c), vocab.size());
        }
        for (String merge : MERGES) {
            vocab.put(merge.replace(" ", ""), vocab.size());
        }
        if (gpt2) {
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
        for (int id = 0; id < leading.size(); id++) {
            addToken(addedTokens, id, leading.get(id));
        }
        if (gpt2) {
            addToken(addedTokens, sp.eos(), "<|endoftext|>");
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "ByteLevel");
        pre.put("add_prefix_space", false);
        pre.put("trim_offsets", true);
        pre.put("use_regex", true);
        if (llama) {
            template(root, List.of("<s>"), List.of(), Map.of("<s>", 1));
        } else if (spec.arch().equals(SynthSpec.T5)) {
            template(root, List.of(), List.of("</s>"), Map.of("</s>", 1));
        } else if (spec.arch().equals(SynthSpec.BART)) {
            template(root, List.of("<s>"), List.of("</s>"), Map.of("<s>", 0, "</s>", 2));
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
        if (sp.unk() != null && !gpt2) {
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
        if (!spec.encoderDecoder()) { // t5 and bart: the post-processor alone decides, as in their real tokenizers
            tc.put("add_bos_token", llama);
            tc.put("add_eos_token", false);
        }
        tc.put("bos_token", sp.bosToken());
        tc.put("clean_up_tokenization_spaces", false);
        tc.put("eos_token", sp.eosToken());
        tc.put("model_max_length", spec.maxPositions());
        tc.put("pad_token", sp.padToken());
        tc.put("tokenizer_class", gpt2 ? "GPT2Tokenizer" : "PreTrainedTokenizerFast");
        tc.put("unk_token", sp.unkToken());
        ModelSynth.writeJson(dir.resolve("tokenizer_config.json"), tc);

        Map<String, Object> stm = new LinkedHashMap<>();
        if (sp.bosToken() != null) {
            stm.put("bos_token", sp.bosToken());
        }
        stm.put("eos_token", sp.eosToken());
        if (sp.padToken() != null) {
            stm.put("pad_token", sp.padToken());
        }
        stm.put("unk_token", sp.unkToken());
        ModelSynth.writeJson(dir.resolve("special_tokens_map.json"), stm);
    }

    /** A TemplateProcessing post-processor: {@code before $A after} (pairs: the same around each sequence). */
    private static void template(ObjectNode root, List<String> before, List<String> after, Map<String, Integer> ids) {
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        ArrayNode pair = post.putArray("pair");
        for (int seq = 0; seq < 2; seq++) {
            for (ArrayNode target : seq == 0 ? List.of(single, pair) : List.of(pair)) {
                for (String t : before) {
                    target.addObject().putObject("SpecialToken").put("id", t).put("type_id", seq);
                }
                target.addObject().putObject("Sequence").put("id", seq == 0 ? "A" : "B").put("type_id", seq);
                for (String t : after) {
                    target.addObject().putObject("SpecialToken").put("id", t).put("type_id", seq);
                }
            }
        }
        ObjectNode specials = post.putObject("special_tokens");
        new java.util.TreeMap<>(ids).forEach((token, id) -> {
            ObjectNode st = specials.putObject(token);
            st.put("id", token);
            st.putArray("ids").add(id);
            st.putArray("tokens").add(token);
        });
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
