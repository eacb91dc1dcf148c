package io.lem.runner.model.hub;

import io.lem.runner.model.ModelFiles;
import io.lem.runner.model.safetensors.SafetensorsStore;
import io.lem.runner.model.safetensors.SafetensorsWriter;
import io.lem.runner.model.safetensors.ShardedWeights;
import io.lem.runner.model.synth.ModelSynth;
import io.lem.runner.model.synth.SynthSpec;
import io.lem.runner.model.weights.DType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelResolverTest {

    private static final String REPO = "lem-test/tiny-llama";

    @TempDir
    Path tmp;

    private HubTestServer hub;
    private Path cache;
    private Path modelDir;
    private String commit;
    private final List<String> events = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        hub = HubTestServer.start();
        cache = tmp.resolve("cache");
        modelDir = ModelSynth.write(SynthSpec.defaults("llama"), tmp.resolve("repo"));
        commit = hub.publish(REPO, modelDir, "main");
    }

    @AfterEach
    void tearDown() {
        hub.close();
    }

    private HubSettings settings() {
        return new HubSettings(hub.endpoint(), null, cache, false, Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    private ModelResolver resolver(HubSettings settings) {
        return new ModelResolver(settings, new DownloadListener() {
            @Override
            public void started(String repoId, String file, long totalBytes, long resumedFrom) {
                events.add("started " + file + " " + totalBytes + " " + resumedFrom);
            }

            @Override
            public void progressed(String repoId, String file, long bytesDone) {
                events.add("progressed " + file);
            }

            @Override
            public void finished(String repoId, String file, long bytes) {
                events.add("finished " + file + " " + bytes);
            }

            @Override
            public void failed(String repoId, String file, String reason) {
                events.add("failed " + file);
            }
        });
    }

    private Path repoCache(String repoId) {
        return cache.resolve("models--" + repoId.replace("/", "--"));
    }

    @Test
    void downloadsIntoTheCacheWithTheHubLayout() throws IOException {
        ModelFiles files = resolver(settings()).resolve(REPO, null);

        Path repo = repoCache(REPO);
        assertThat(files.directory()).isEqualTo(repo.resolve("snapshots").resolve(commit));
        assertThat(files.repoId()).isEqualTo(REPO);
        assertThat(files.revision()).isEqualTo("main");
        assertThat(files.commit()).isEqualTo(commit);
        assertThat(Files.readString(repo.resolve("refs/main"))).isEqualTo(commit);
        for (String name : List.of("config.json", "generation_config.json", "tokenizer.json",
                "tokenizer_config.json", "special_tokens_map.json", "model.safetensors")) {
            Path link = files.directory().resolve(name);
            byte[] original = Files.readAllBytes(modelDir.resolve(name));
            String etag = name.endsWith(".safetensors") ? HubTestServer.sha256Hex(original)
                    : HubTestServer.gitBlobSha1(original);
            assertThat(Files.isSymbolicLink(link)).as(name).isTrue();
            assertThat(Files.readSymbolicLink(link).toString()).isEqualTo("../../blobs/" + etag);
            assertThat(Files.readAllBytes(repo.resolve("blobs").resolve(etag))).isEqualTo(original);
        }
        try (Stream<Path> blobs = Files.list(repo.resolve("blobs"))) {
            assertThat(blobs.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".incomplete"))
                    .hasSize(6);
        }
        assertThat(files.modelType()).isEqualTo("llama");
        assertThat(files.generationConfig()).containsEntry("eos_token_id", 2);
        assertThat(files.tokenizerJson()).isEqualTo(files.directory().resolve("tokenizer.json"));
        try (SafetensorsStore weights = files.openWeights()) {
            assertThat(weights.names()).contains("model.embed_tokens.weight");
        }
        assertThat(events).contains("started model.safetensors " + Files.size(modelDir.resolve("model.safetensors"))
                + " 0", "finished model.safetensors " + Files.size(modelDir.resolve("model.safetensors")));
        // LFS files go through the redirect to the CDN; small files are served directly
        assertThat(hub.requests()).anyMatch(r -> r.startsWith("GET /cdn/"))
                .anyMatch(r -> r.equals("GET /" + REPO + "/resolve/" + commit + "/tokenizer.json"));
    }

    @Test
    void secondResolveMakesNoRequestsAndMissingOptionalFilesAreRemembered() throws IOException {
        Path bare = tmp.resolve("bare");
        ModelSynth.write(SynthSpec.defaults("gpt2"), bare);
        Files.delete(bare.resolve("generation_config.json"));
        Files.delete(bare.resolve("special_tokens_map.json"));
        String bareCommit = hub.publish("lem-test/bare", bare, "main");

        ModelFiles first = resolver(settings()).resolve("lem-test/bare", "main");
        assertThat(first.generationConfig()).isNull();
        assertThat(first.specialTokensMap()).isNull();
        Path noExist = repoCache("lem-test/bare").resolve(".no_exist").resolve(bareCommit);
        assertThat(noExist.resolve("generation_config.json")).exists();
        assertThat(noExist.resolve("special_tokens_map.json")).exists();
        assertThat(noExist.resolve("model.safetensors")).doesNotExist();

        hub.clearRequests();
        ModelResolver again = resolver(settings());
        ModelFiles second = again.resolve("lem-test/bare", "main");
        assertThat(hub.requests()).isEmpty();
        assertThat(again.requestCount()).isZero();
        assertThat(second).isEqualTo(first);
    }

    @Test
    void offlineModeUsesTheCacheAndNeverTouchesTheNetwork() throws IOException {
        assertThatThrownBy(() -> resolver(settings().withOffline(true)).resolve(REPO, null))
                .isInstanceOf(ModelResolutionException.class)
                .hasMessageContaining("config.json of " + REPO)
                .hasMessageContaining("not in the cache")
                .hasMessageContaining("offline mode is on (HF_HUB_OFFLINE=1)")
                .hasMessageNotContaining("\n");
        assertThat(hub.requests()).isEmpty();

        ModelFiles online = resolver(settings()).resolve(REPO, null);
        hub.clearRequests();
        ModelFiles offline = resolver(settings().withOffline(true)).resolve(REPO, null);
        assertThat(offline).isEqualTo(online);
        assertThat(hub.requests()).isEmpty();

        // a revision the cache has never seen
        assertThatThrownBy(() -> resolver(settings().withOffline(true)).resolve(REPO, "v9"))
                .hasMessageContaining("not in the cache").hasMessageContaining("offline");
        assertThat(hub.requests()).isEmpty();
    }

    @Test
    void configOnlyFetchesConfigJsonAndNothingElse() throws IOException {
        Path config = resolver(settings()).resolveConfig(REPO, null);

        assertThat(config).isEqualTo(repoCache(REPO).resolve("snapshots").resolve(commit).resolve("config.json"));
        assertThat(Files.readString(config)).isEqualTo(Files.readString(modelDir.resolve("config.json")));
        assertThat(Files.readString(repoCache(REPO).resolve("refs/main"))).isEqualTo(commit);
        assertThat(hub.requests()).isNotEmpty().allMatch(r -> r.endsWith("/resolve/main/config.json")
                || r.endsWith("/resolve/" + commit + "/config.json"));
        try (Stream<Path> blobs = Files.list(repoCache(REPO).resolve("blobs"))) {
            assertThat(blobs).hasSize(1);
        }

        // offline: the cached config, no request; a repository the cache lacks fails naming offline mode
        hub.clearRequests();
        assertThat(resolver(settings().withOffline(true)).resolveConfig(REPO, "main")).isEqualTo(config);
        assertThatThrownBy(() -> resolver(settings().withOffline(true)).resolveConfig("lem-test/absent", null))
                .isInstanceOf(ModelResolutionException.class)
                .hasMessageContaining("config.json of lem-test/absent")
                .hasMessageContaining("offline mode is on (HF_HUB_OFFLINE=1)");
        assertThat(hub.requests()).isEmpty();

        // a repository the hub does not have, and a malformed id
        assertThatThrownBy(() -> resolver(settings()).resolveConfig("lem-test/absent", null))
                .isInstanceOf(ModelNotFoundException.class);
        assertThatThrownBy(() -> resolver(settings()).resolveConfig("a--b/c", null))
                .hasMessageContaining("is not a valid hub model id");
    }

    @Test
    void offlineModeWithoutCachedWeightsSaysSo() throws IOException {
        resolver(settings()).resolve(REPO, null);
        Path snapshot = repoCache(REPO).resolve("snapshots").resolve(commit);
        Files.delete(snapshot.resolve("model.safetensors"));
        hub.clearRequests();
        assertThatThrownBy(() -> resolver(settings().withOffline(true)).resolve(REPO, null))
                .hasMessageContaining("no safetensors weights").hasMessageContaining("offline mode is on");
        assertThat(hub.requests()).isEmpty();
    }

    @Test
    void resumesAPartialIncompleteDownloadWithARangeRequest() throws IOException {
        byte[] weights = Files.readAllBytes(modelDir.resolve("model.safetensors"));
        String sha = HubTestServer.sha256Hex(weights);
        Path blobs = repoCache(REPO).resolve("blobs");
        Files.createDirectories(blobs);
        int half = weights.length / 2;
        Files.write(blobs.resolve(sha + ".incomplete"), java.util.Arrays.copyOf(weights, half));

        ModelFiles files = resolver(settings()).resolve(REPO, null);

        assertThat(hub.requests()).contains("GET /cdn/" + sha + " Range:bytes=" + half + "-");
        assertThat(Files.readAllBytes(files.directory().resolve("model.safetensors"))).isEqualTo(weights);
        assertThat(blobs.resolve(sha + ".incomplete")).doesNotExist();
        assertThat(events).contains("started model.safetensors " + weights.length + " " + half);
    }

    @Test
    void aTransferCutOffMidwayIsResumedInTheSameRun() throws IOException {
        hub.interruptOnce("model.safetensors", 5000);
        ModelFiles files = resolver(settings()).resolve(REPO, null);
        byte[] weights = Files.readAllBytes(modelDir.resolve("model.safetensors"));
        assertThat(Files.readAllBytes(files.directory().resolve("model.safetensors"))).isEqualTo(weights);
        assertThat(hub.requests()).anyMatch(r -> r.startsWith("GET /cdn/") && r.contains("Range:bytes="));
    }

    @Test
    void aStalledTransferIsAbandonedAfterTheDownloadTimeoutAndResumed() throws IOException {
        hub.stallOnce("model.safetensors", 3000, 6000);
        HubSettings quick = new HubSettings(hub.endpoint(), null, cache, false, Duration.ofSeconds(5),
                Duration.ofSeconds(1));
        long start = System.nanoTime();
        ModelFiles files = resolver(quick).resolve(REPO, null);
        assertThat((System.nanoTime() - start) / 1e9).isLessThan(5.5);
        assertThat(Files.readAllBytes(files.directory().resolve("model.safetensors")))
                .isEqualTo(Files.readAllBytes(modelDir.resolve("model.safetensors")));
        assertThat(hub.requests()).anyMatch(r -> r.startsWith("GET /cdn/") && r.contains("Range:bytes=3000-"));
    }

    @Test
    void aDownloadOfTheWrongSizeIsRejectedAndRemoved() {
        hub.serveShort("model.safetensors");
        assertThatThrownBy(() -> resolver(settings()).resolve(REPO, null))
                .isInstanceOf(ModelResolutionException.class)
                .hasMessageContaining("model.safetensors is corrupt")
                .hasMessageContaining("expected " + fileSize("model.safetensors"))
                .hasMessageNotContaining("\n");
        assertNoBlobFor("model.safetensors");
        assertThat(events).contains("failed model.safetensors");
    }

    @Test
    void aDownloadWithTheWrongSha256IsRejectedAndRemoved() {
        hub.serveCorrupt("model.safetensors");
        assertThatThrownBy(() -> resolver(settings()).resolve(REPO, null))
                .hasMessageContaining("model.safetensors is corrupt: sha256");
        assertNoBlobFor("model.safetensors");
    }

    private long fileSize(String name) {
        try {
            return Files.size(modelDir.resolve(name));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void assertNoBlobFor(String name) {
        try {
            String sha = HubTestServer.sha256Hex(Files.readAllBytes(modelDir.resolve(name)));
            Path blobs = repoCache(REPO).resolve("blobs");
            assertThat(blobs.resolve(sha)).doesNotExist();
            assertThat(blobs.resolve(sha + ".incomplete")).doesNotExist();
            assertThat(repoCache(REPO).resolve("snapshots").resolve(commit).resolve(name)).doesNotExist();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void shardedModelsFetchEveryShardTheIndexNames() throws IOException {
        Path sharded = tmp.resolve("sharded");
        Files.createDirectories(sharded);
        Files.copy(modelDir.resolve("config.json"), sharded.resolve("config.json"));
        Map<String, SafetensorsWriter.Tensor> a = new LinkedHashMap<>();
        a.put("w.a", new SafetensorsWriter.Tensor(DType.F32, new long[] {2}, new float[] {1, 2}));
        Map<String, SafetensorsWriter.Tensor> b = new LinkedHashMap<>();
        b.put("w.b", new SafetensorsWriter.Tensor(DType.BF16, new long[] {3}, new float[] {3, 4, 5}));
        SafetensorsWriter.write(sharded.resolve("model-00001-of-00002.safetensors"), a, Map.of());
        SafetensorsWriter.write(sharded.resolve("model-00002-of-00002.safetensors"), b, Map.of());
        Files.writeString(sharded.resolve("model.safetensors.index.json"), "{\"metadata\": {\"total_size\": 14},"
                + " \"weight_map\": {\"w.a\": \"model-00001-of-00002.safetensors\","
                + " \"w.b\": \"model-00002-of-00002.safetensors\"}}");
        String c = hub.publish("lem-test/sharded", sharded, "main");

        ModelFiles files = resolver(settings()).resolve("lem-test/sharded", null);

        assertThat(files.directory().resolve("model-00001-of-00002.safetensors")).exists();
        assertThat(files.directory().resolve("model-00002-of-00002.safetensors")).exists();
        assertThat(repoCache("lem-test/sharded").resolve(".no_exist").resolve(c).resolve("model.safetensors"))
                .exists();
        try (SafetensorsStore weights = files.openWeights()) {
            assertThat(weights).isInstanceOf(ShardedWeights.class);
            assertThat(weights.floats("w.a")).containsExactly(1, 2);
            assertThat(weights.floats("w.b")).containsExactly(3, 4, 5);
        }
        hub.clearRequests();
        resolver(settings()).resolve("lem-test/sharded", null);
        assertThat(hub.requests()).isEmpty();
    }

    @Test
    void aLocalDirectoryIsUsedAsIsWithoutTheNetwork() throws IOException {
        ModelFiles files = resolver(settings()).resolve(modelDir.toString(), "ignored");
        assertThat(files.directory()).isEqualTo(modelDir.toAbsolutePath().normalize());
        assertThat(files.repoId()).isNull();
        assertThat(files.revision()).isNull();
        assertThat(files.commit()).isNull();
        assertThat(files.fromHub()).isFalse();
        assertThat(files.config()).containsEntry("model_type", "llama");
        assertThat(files.tokenizerJson()).isEqualTo(files.directory().resolve("tokenizer.json"));
        assertThat(hub.requests()).isEmpty();
        assertThat(cache).doesNotExist();
    }

    @Test
    void aRevisionOtherThanMainGetsItsOwnRefAndSnapshot() throws IOException {
        Path v2 = tmp.resolve("v2");
        ModelSynth.write(SynthSpec.defaults("llama").withSeed(7), v2);
        Files.writeString(v2.resolve("config.json"), Files.readString(v2.resolve("config.json"))
                .replace("\"rope_theta\": 10000.0", "\"rope_theta\": 500000.0"));
        String c2 = hub.publish(REPO, v2, "v2.0");

        ModelFiles files = resolver(settings()).resolve(REPO, "v2.0");
        assertThat(files.commit()).isEqualTo(c2).isNotEqualTo(commit);
        assertThat(files.revision()).isEqualTo("v2.0");
        assertThat(Files.readString(repoCache(REPO).resolve("refs/v2.0"))).isEqualTo(c2);
        assertThat(repoCache(REPO).resolve("refs/main")).doesNotExist();
        assertThat(files.config()).containsEntry("rope_theta", 500000.0);

        // by commit hash: no ref is written, the same snapshot is used, no request
        hub.clearRequests();
        ModelFiles byCommit = resolver(settings()).resolve(REPO, c2);
        assertThat(byCommit.directory()).isEqualTo(files.directory());
        assertThat(hub.requests()).isEmpty();
        assertThat(repoCache(REPO).resolve("refs").resolve(c2)).doesNotExist();
    }

    @Test
    void gatedModelsNeedAToken() throws IOException {
        hub.publish("lem-test/gated", modelDir, "main");
        hub.gate("lem-test/gated", "hf_secret_value");

        assertThatThrownBy(() -> resolver(settings()).resolve("lem-test/gated", null))
                .isInstanceOf(ModelResolutionException.class)
                .hasMessageContaining("HTTP 401").hasMessageContaining("gated").hasMessageContaining("HF_TOKEN")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> resolver(settings().withToken("hf_wrong")).resolve("lem-test/gated", null))
                .hasMessageContaining("HTTP 403").hasMessageContaining("HF_TOKEN")
                .hasMessageNotContaining("hf_wrong");

        hub.clearRequests();
        ModelFiles files = resolver(settings().withToken("hf_secret_value")).resolve("lem-test/gated", null);
        assertThat(files.directory().resolve("model.safetensors")).exists();
        assertThat(hub.authorizations()).isNotEmpty().allMatch(a -> a.equals("Bearer hf_secret_value"));
    }

    @Test
    void unknownModelsRevisionsAndMissingConfigsAreOneLineErrors() throws IOException {
        assertThatThrownBy(() -> resolver(settings()).resolve("lem-test/nope", null))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessageStartingWith("no such model or revision: lem-test/nope at revision 'main'")
                .hasMessageContaining("nor is 'lem-test/nope' a local directory")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> resolver(settings()).resolve(REPO, "no-such-branch"))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("no such model or revision: " + REPO + " at revision 'no-such-branch'");

        Path noConfig = tmp.resolve("noconfig");
        Files.createDirectories(noConfig);
        Files.writeString(noConfig.resolve("README.md"), "hi");
        hub.publish("lem-test/noconfig", noConfig, "main");
        assertThatThrownBy(() -> resolver(settings()).resolve("lem-test/noconfig", null))
                .isInstanceOf(ModelNotFoundException.class)
                .hasMessageContaining("no such model or revision: lem-test/noconfig at revision 'main' has no "
                        + "config.json");

        Path noWeights = tmp.resolve("noweights");
        Files.createDirectories(noWeights);
        Files.copy(modelDir.resolve("config.json"), noWeights.resolve("config.json"));
        hub.publish("lem-test/noweights", noWeights, "main");
        assertThatThrownBy(() -> resolver(settings()).resolve("lem-test/noweights", null))
                .hasMessageContaining("has no safetensors weights");
    }

    @Test
    void namesThatAreNeitherDirectoriesNorHubIdsFailWithoutTheNetwork() {
        for (String name : List.of("./no/such/dir", "/no/such/dir", "a/b/c", "org/na me", "~/model")) {
            assertThatThrownBy(() -> resolver(settings()).resolve(name, null)).as(name)
                    .isInstanceOf(ModelResolutionException.class)
                    .hasMessage("model '" + name + "' is neither an existing directory nor a hub id like org/name");
        }
        for (String name : List.of("org--x/y", "-org/y", "org/y.", "org/a..b", "org/ü")) {
            assertThatThrownBy(() -> resolver(settings()).resolve(name, null)).as(name)
                    .hasMessageContaining("is not a valid hub model id");
        }
        assertThatThrownBy(() -> resolver(settings()).resolve(REPO, "../../etc"))
                .hasMessageContaining("is not a valid revision");
        assertThatThrownBy(() -> resolver(settings()).resolve(modelDir.resolve("config.json").toString(), null))
                .hasMessageContaining("is a file");
        assertThat(hub.requests()).isEmpty();
    }

    @Test
    void renamedReposAndLegacyNamesFollowTheHubsRedirect() throws IOException {
        hub.alias("tiny-llama", REPO);
        ModelFiles files = resolver(settings()).resolve("tiny-llama", null);
        assertThat(files.repoId()).isEqualTo("tiny-llama");
        assertThat(files.commit()).isEqualTo(commit);
        assertThat(files.directory()).isEqualTo(cache.resolve("models--tiny-llama/snapshots").resolve(commit));
        assertThat(hub.requests()).anyMatch(r -> r.startsWith("HEAD /tiny-llama/resolve/main/config.json"))
                .anyMatch(r -> r.startsWith("HEAD /" + REPO + "/resolve/main/config.json"));
    }

    @Test
    void aRevisionWithASlashIsEncodedAndStoredAsANestedRef() throws IOException {
        String pr = hub.publish(REPO, modelDir, "refs/pr/1");
        ModelFiles files = resolver(settings()).resolve(REPO, "refs/pr/1");
        assertThat(files.commit()).isEqualTo(pr);
        assertThat(Files.readString(repoCache(REPO).resolve("refs/refs/pr/1"), StandardCharsets.UTF_8))
                .isEqualTo(pr);
        assertThat(hub.requests()).anyMatch(r -> r.startsWith("HEAD /" + REPO + "/resolve/refs%2Fpr%2F1/config.json"));
    }
}
