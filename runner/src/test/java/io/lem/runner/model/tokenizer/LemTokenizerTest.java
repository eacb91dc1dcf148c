package io.lem.runner.model.tokenizer;

import io.lem.runner.model.ModelFiles;
import io.lem.runner.model.synth.ModelSynth;
import io.lem.runner.model.synth.SynthSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class LemTokenizerTest {

    @TempDir
    Path dir;

    private static final List<String> TEXTS = List.of(
            "Hello world",
            " leading and trailing spaces  ",
            "the theory of everything is in the thing",
            "tabs\tand\nnew lines\r\nand\u0000nul",
            "Grüße, naïve café — ümlaut",
            "日本語のテキストと中文",
            "emoji 👩‍💻🚀 and flags 🇫🇷",
            "math ∑∫√ and combining e\u0301",
            "<not special> <s > </ s>",
            "");

    private ModelFiles synth(String arch) throws IOException {
        return ModelFiles.local(ModelSynth.write(SynthSpec.defaults(arch), dir.resolve(arch)));
    }

    private static String randomText(Random r, int length) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            int kind = r.nextInt(4);
            int cp;
            if (kind == 0) {
                cp = 0x20 + r.nextInt(0x5F);
            } else if (kind == 1) {
                cp = r.nextInt(0x800);
            } else if (kind == 2) {
                cp = 0x800 + r.nextInt(0xD800 - 0x800);
            } else {
                cp = 0x10000 + r.nextInt(0x10FFFF - 0x10000);
            }
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    @Test
    void synthLlamaTokenizerRoundTripsAnyTextAndAddsBos() throws IOException {
        try (LemTokenizer tok = LemTokenizer.load(synth("llama"))) {
            assertThat(tok.bosTokenId()).hasValue(1);
            assertThat(tok.eosTokenIds()).containsExactly(2);
            assertThat(tok.padTokenId()).isEqualTo(2); // no pad token: falls back to EOS
            assertThat(tok.hasPadToken()).isFalse();
            assertThat(tok.addsBos()).isTrue();
            assertThat(tok.vocabSize()).isEqualTo(320);
            for (String text : TEXTS) {
                int[] ids = tok.encode(text);
                assertThat(ids[0]).as(text).isEqualTo(1);
                assertThat(tok.decode(ids, true)).as(text).isEqualTo(text);
                assertThat(tok.encode(text, false)).as(text).containsExactly(java.util.Arrays.copyOfRange(ids, 1,
                        ids.length));
            }
            Random r = new Random(7);
            for (int i = 0; i < 200; i++) {
                String text = randomText(r, 1 + r.nextInt(60));
                assertThat(tok.decode(tok.encode(text), true)).isEqualTo(text);
            }
            assertThat(tok.decode(tok.encode("hi"), false)).isEqualTo("<s>hi");
        }
    }

    @Test
    void synthGpt2TokenizerRoundTripsAnyTextWithoutBos() throws IOException {
        try (LemTokenizer tok = LemTokenizer.load(synth("gpt2"))) {
            int eot = SynthSpec.minVocab("gpt2") - 1;
            assertThat(tok.bosTokenId()).hasValue(eot);
            assertThat(tok.eosTokenIds()).containsExactly(eot);
            assertThat(tok.addsBos()).isFalse();
            assertThat(tok.tokenId("<|endoftext|>")).hasValue(eot);
            for (String text : TEXTS) {
                assertThat(tok.decode(tok.encode(text), true)).as(text).isEqualTo(text);
            }
            Random r = new Random(11);
            for (int i = 0; i < 200; i++) {
                String text = randomText(r, 1 + r.nextInt(60));
                assertThat(tok.decode(tok.encode(text), true)).isEqualTo(text);
            }
            // merges are applied: " the" is one token, and fewer tokens than bytes for English
            assertThat(tok.encode(" the")).hasSize(1);
            String english = "the thing is in the theory";
            assertThat(tok.encode(english).length).isLessThan(english.length());
            // the special token in text is recognised; skipping specials drops it
            int[] ids = tok.encode("a<|endoftext|>b");
            assertThat(ids).contains(eot);
            assertThat(tok.decode(ids, true)).isEqualTo("ab");
            assertThat(tok.decode(ids, false)).isEqualTo("a<|endoftext|>b");
        }
    }

    @Test
    void eosMayBeAListAndGenerationConfigWins() throws IOException {
        ModelFiles m = synth("llama");
        Map<String, Object> gen = Map.of("eos_token_id", List.of(2, 0, 2), "pad_token_id", 0);
        try (LemTokenizer tok = LemTokenizer.load(m.tokenizerJson(), m.tokenizerConfig(), m.config(), gen)) {
            assertThat(tok.eosTokenIds()).containsExactly(2, 0);
            assertThat(tok.padTokenId()).isZero();
            assertThat(tok.hasPadToken()).isTrue();
        }
        // nothing in the configs: the names in tokenizer_config.json
        try (LemTokenizer tok = LemTokenizer.load(m.tokenizerJson(), m.tokenizerConfig(), null, null)) {
            assertThat(tok.bosTokenId()).hasValue(1);
            assertThat(tok.eosTokenIds()).containsExactly(2);
        }
        // nothing anywhere
        try (LemTokenizer tok = LemTokenizer.load(m.tokenizerJson(), null, null, null)) {
            assertThat(tok.bosTokenId()).isEmpty();
            assertThat(tok.eosTokenIds()).isEmpty();
            assertThat(tok.padTokenId()).isZero();
            assertThat(tok.addsBos()).isFalse();
        }
    }

    @Test
    void addBosTokenInTokenizerConfigHasTheLastWord() throws IOException {
        ModelFiles llama = synth("llama");
        Path off = dir.resolve("off.json");
        Files.writeString(off, Files.readString(llama.tokenizerConfig())
                .replace("\"add_bos_token\": true", "\"add_bos_token\": false"));
        try (LemTokenizer tok = LemTokenizer.load(llama.tokenizerJson(), off, llama.config(), null)) {
            assertThat(tok.addsBos()).isFalse();
            assertThat(tok.encode("hi")).doesNotContain(1);
        }
        ModelFiles gpt2 = synth("gpt2");
        Path on = dir.resolve("on.json");
        Files.writeString(on, Files.readString(gpt2.tokenizerConfig())
                .replace("\"add_bos_token\": false", "\"add_bos_token\": true"));
        try (LemTokenizer tok = LemTokenizer.load(gpt2.tokenizerJson(), on, gpt2.config(), null)) {
            int eot = SynthSpec.minVocab("gpt2") - 1;
            assertThat(tok.addsBos()).isTrue();
            assertThat(tok.encode("hi")[0]).isEqualTo(eot);
            assertThat(tok.decode(tok.encode("hi"), true)).isEqualTo("hi");
        }
    }

    @Test
    void aModelWithoutTokenizerJsonIsAOneLineError() throws IOException {
        ModelFiles m = synth("llama");
        Files.delete(m.tokenizerJson());
        ModelFiles without = ModelFiles.local(m.directory());
        assertThatThrownBy(() -> LemTokenizer.load(without)).hasMessageContaining("has no tokenizer.json")
                .hasMessageNotContaining("\n");
    }

    private static Path shared(String name) {
        Path d = Path.of(System.getProperty("lem.shared.dir", "../shared"), "models", name);
        assumeTrue(Files.isDirectory(d), "no " + d);
        return d;
    }

    @Test
    void realGpt2Tokenizer() throws IOException {
        try (LemTokenizer tok = LemTokenizer.load(ModelFiles.local(shared("gpt2-tokenizer")))) {
            assertThat(tok.encode("Hello world")).containsExactly(15496, 995);
            assertThat(tok.decode(new int[] {15496, 995}, true)).isEqualTo("Hello world");
            assertThat(tok.vocabSize()).isEqualTo(50257);
            assertThat(tok.eosTokenIds()).containsExactly(50256);
            assertThat(tok.bosTokenId()).hasValue(50256);
            assertThat(tok.addsBos()).isFalse();
            assertThat(tok.padTokenId()).isEqualTo(50256);
            for (String text : TEXTS) {
                assertThat(tok.decode(tok.encode(text), true)).as(text).isEqualTo(text);
            }
            // DJL's own tokenizer_config handling (clean-up of spaces) is not applied
            assertThat(tok.decode(tok.encode("a , b ."), true)).isEqualTo("a , b .");
        }
    }

    @Test
    void realLlamaSentencePieceTokenizerOfStories260K() throws IOException {
        try (LemTokenizer tok = LemTokenizer.load(ModelFiles.local(shared("stories260K")))) {
            assertThat(tok.encode("Once upon a time")).containsExactly(1, 403, 407, 261, 378);
            assertThat(tok.decode(new int[] {1, 403, 407, 261, 378}, true)).isEqualTo("Once upon a time");
            assertThat(tok.bosTokenId()).hasValue(1);
            assertThat(tok.eosTokenIds()).containsExactly(2);
            assertThat(tok.addsBos()).isTrue();
            assertThat(tok.vocabSize()).isEqualTo(512);
            // byte fallback covers text outside the 512 pieces
            assertThat(tok.decode(tok.encode("Zoë ate 🍰"), true)).isEqualTo("Zoë ate 🍰");
        }
    }

    @Test
    void wordLevelTokenizerOfTinyRandomGpt2() throws IOException {
        try (LemTokenizer tok = LemTokenizer.load(ModelFiles.local(shared("tiny-random-gpt2")))) {
            assertThat(tok.encode("t0 t0 t0 t52")).containsExactly(0, 0, 0, 52);
            assertThat(tok.eosTokenIds()).containsExactly(98);
            assertThat(tok.padTokenId()).isEqualTo(98);
            assertThat(tok.vocabSize()).isEqualTo(1000);
        }
    }
}
