package io.lem.runner.model.hub;

import io.lem.runner.model.ModelFiles;
import io.lem.runner.model.safetensors.ShardedWeights;
import io.lem.runner.model.safetensors.WeightStores;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns a model name into local files. A name that is an existing directory is used as is. Otherwise it must be a hub
 * id {@code org/name}: files come from the hub cache shared with Python ({@link HubCache}) and missing ones are
 * downloaded from {@code HF_ENDPOINT}, unless offline mode is on, in which case the network is never touched.
 *
 * <p>Files: {@code config.json} (required); {@code generation_config.json}, {@code tokenizer.json},
 * {@code tokenizer_config.json}, {@code special_tokens_map.json} (optional); weights {@code model.safetensors}, else
 * {@code model.safetensors.index.json} and every shard it names.
 *
 * <p>Once a revision's commit is known (from the cache's refs or the first answer), later files are asked for by that
 * commit, so all files come from one commit. A file already in the commit's snapshot, or known not to exist there
 * ({@code .no_exist}), costs no request: resolving a cached model makes no request at all. The flip side: a branch
 * that moved on the hub is not noticed while the cache has everything; pass the new commit (or clear the ref) to
 * update.
 *
 * <p>A resolver is meant for one thread; resolvers in several threads or processes may share a cache (downloads of the
 * same blob are serialised with the lock files Python uses).
 */
public final class ModelResolver {

    public static final String DEFAULT_REVISION = "main";

    private static final Pattern REPO_PART = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?");
    private static final List<String> OPTIONAL_FILES = List.of(ModelFiles.GENERATION_CONFIG, ModelFiles.TOKENIZER,
            ModelFiles.TOKENIZER_CONFIG, ModelFiles.SPECIAL_TOKENS_MAP);

    private final HubSettings settings;
    private final DownloadListener listener;
    private HubHttp http;

    public ModelResolver(HubSettings settings) {
        this(settings, DownloadListener.standard());
    }

    public ModelResolver(HubSettings settings, DownloadListener listener) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** Resolves with the standard progress output (see {@link DownloadListener#standard()}). */
    public static ModelFiles resolve(String modelName, String revision, HubSettings settings) throws IOException {
        return new ModelResolver(settings).resolve(modelName, revision);
    }

    /**
     * @param modelName an existing model directory, or a hub id {@code org/name}
     * @param revision  branch, tag or commit for hub models; null means {@value #DEFAULT_REVISION}; ignored for
     *                  local directories
     */
    public ModelFiles resolve(String modelName, String revision) throws IOException {
        Objects.requireNonNull(modelName, "modelName");
        String name = modelName.trim();
        if (name.isEmpty()) {
            throw new ModelResolutionException("model name is empty: give a model directory or a hub id like org/name");
        }
        Path local = null;
        try {
            local = Path.of(name);
        } catch (InvalidPathException e) {
            // not a path; perhaps a hub id
        }
        if (local != null && Files.isDirectory(local)) {
            try {
                return ModelFiles.load(local.toAbsolutePath().normalize(), null, null, null);
            } catch (ModelResolutionException e) {
                throw e;
            } catch (IOException e) {
                throw new ModelResolutionException(e.getMessage(), e);
            }
        }
        if (local != null && Files.exists(local)) {
            throw new ModelResolutionException("model '" + name + "' is a file; give a model directory (with "
                    + "config.json) or a hub id like org/name");
        }
        if (!looksLikeHubId(name)) {
            throw new ModelResolutionException("model '" + name + "' is neither an existing directory nor a hub id "
                    + "like org/name");
        }
        validateRepoId(name);
        String rev = revision == null || revision.isBlank() ? DEFAULT_REVISION : revision.trim();
        validateRevision(rev);
        try {
            return new Session(name, rev).run();
        } catch (ModelNotFoundException e) {
            throw new ModelNotFoundException(e.getMessage() + "; nor is '" + name + "' a local directory");
        }
    }

    /**
     * The {@code config.json} of hub model {@code repoId} and nothing else (no tokenizer, no weights), from the cache
     * or downloaded into it, for looking at a model too large to fetch. The cache keeps it as a normal snapshot file,
     * so a later full resolution reuses it. Offline mode: cache only.
     *
     * @param revision branch, tag or commit; null means {@value #DEFAULT_REVISION}
     * @return the snapshot's {@code config.json}
     */
    public Path resolveConfig(String repoId, String revision) throws IOException {
        Objects.requireNonNull(repoId, "repoId");
        String id = repoId.trim();
        validateRepoId(id);
        String rev = revision == null || revision.isBlank() ? DEFAULT_REVISION : revision.trim();
        validateRevision(rev);
        return new Session(id, rev).config();
    }

    /** Requests made to the hub by this resolver so far (for tests and diagnostics). */
    public int requestCount() {
        return http == null ? 0 : http.requests();
    }

    /**
     * Shape test only: {@code org/name} or a legacy single name such as {@code gpt2} (the hub redirects those to
     * their organisation), nothing path-like. {@link #validateRepoId} says what is wrong in detail.
     */
    public static boolean looksLikeHubId(String name) {
        if (name.startsWith("/") || name.startsWith(".") || name.startsWith("~") || name.contains("\\")
                || name.endsWith("/") || name.contains(" ")) {
            return false;
        }
        int slash = name.indexOf('/');
        return slash != 0 && slash == name.lastIndexOf('/');
    }

    /**
     * Hub ids are {@code org/name} or a legacy {@code name}: letters, digits, '-', '_', '.', no '--' or '..', at most
     * 96 characters.
     */
    public static void validateRepoId(String repoId) throws ModelResolutionException {
        String[] parts = repoId.split("/", -1);
        boolean ok = parts.length <= 2 && repoId.length() <= 96 && !repoId.contains("--") && !repoId.contains("..");
        for (String p : parts) {
            ok &= REPO_PART.matcher(p).matches();
        }
        if (!ok) {
            throw new ModelResolutionException("'" + repoId + "' is not a valid hub model id: expected org/name with "
                    + "letters, digits, '-', '_' and '.' (no '--' or '..', at most 96 characters)");
        }
    }

    static void validateRevision(String revision) throws ModelResolutionException {
        boolean ok = revision.length() <= 256 && !revision.startsWith("/") && !revision.endsWith("/")
                && !revision.contains("\\") && !revision.contains("//");
        for (String part : revision.split("/")) {
            ok &= !part.equals("..") && !part.equals(".");
        }
        for (int i = 0; i < revision.length(); i++) {
            ok &= revision.charAt(i) >= 0x20 && revision.charAt(i) != 0x7F;
        }
        if (!ok) {
            throw new ModelResolutionException("'" + revision + "' is not a valid revision (branch, tag or commit)");
        }
    }

    private HubHttp http() {
        if (settings.offline()) {
            throw new IllegalStateException("offline mode: no network");
        }
        if (http == null) {
            http = new HubHttp(settings);
        }
        return http;
    }

    /** One resolution of one repository at one revision. */
    private final class Session {
        private final String repoId;
        private final String revision;
        private final HubCache cache;
        private String commit;

        Session(String repoId, String revision) {
            this.repoId = repoId;
            this.revision = revision;
            this.cache = new HubCache(settings.cacheDir(), repoId);
        }

        Path config() throws IOException {
            commit = cache.commitFor(revision);
            return fetch(ModelFiles.CONFIG, true);
        }

        ModelFiles run() throws IOException {
            commit = cache.commitFor(revision);
            fetch(ModelFiles.CONFIG, true);
            for (String f : OPTIONAL_FILES) {
                fetch(f, false);
            }
            if (fetch(WeightStores.SINGLE_FILE, false) == null) {
                Path index = fetch(ShardedWeights.INDEX_FILE, false);
                if (index == null) {
                    throw new ModelResolutionException(repoId + " at revision '" + revision + "' has no safetensors "
                            + "weights (" + WeightStores.SINGLE_FILE + " or " + ShardedWeights.INDEX_FILE + ")"
                            + (settings.offline() ? " in the cache (" + settings.cacheDir() + "), and offline mode is"
                                    + " on (HF_HUB_OFFLINE=1)" : "; lem reads only safetensors"));
                }
                for (String shard : shardNames(index)) {
                    fetch(shard, true);
                }
            }
            return ModelFiles.load(cache.snapshotDir(commit), repoId, revision, commit);
        }

        private List<String> shardNames(Path index) throws IOException {
            Map<String, Object> json = ModelFiles.readJsonObject(index);
            Object map = json.get("weight_map");
            if (!(map instanceof Map)) {
                throw new ModelResolutionException(repoId + " " + ShardedWeights.INDEX_FILE + " has no weight_map");
            }
            TreeSet<String> shards = new TreeSet<>();
            for (Object v : ((Map<?, ?>) map).values()) {
                String s = String.valueOf(v);
                if (s.isEmpty() || s.contains("/") || s.contains("\\") || s.equals("..") || s.equals(".")) {
                    throw new ModelResolutionException(repoId + " " + ShardedWeights.INDEX_FILE + " names shard '"
                            + s + "', which is not a plain file name");
                }
                shards.add(s);
            }
            return new ArrayList<>(shards);
        }

        /** The file's path in the snapshot, or null when an optional file does not exist. */
        private Path fetch(String file, boolean required) throws IOException {
            if (commit != null) {
                Path cached = cache.snapshotFile(commit, file);
                if (Files.isRegularFile(cached)) {
                    return cached;
                }
                if (cache.knownMissing(commit, file)) {
                    if (required) {
                        throw missing(file);
                    }
                    return null;
                }
            }
            if (settings.offline()) {
                if (required) {
                    throw new ModelResolutionException(file + " of " + repoId + " at revision '" + revision
                            + "' is not in the cache (" + settings.cacheDir() + ") and offline mode is on "
                            + "(HF_HUB_OFFLINE=1)");
                }
                return null;
            }
            HubHttp.Head head = http().head(repoId, commit != null ? commit : revision, file);
            if (head.missing()) {
                String at = commit != null ? commit : head.missingCommit();
                if (at != null && HubCache.COMMIT.matcher(at).matches()) {
                    if (commit == null) {
                        commit = at;
                        cache.writeRef(revision, commit);
                    }
                    cache.markMissing(at, file);
                }
                if (required) {
                    throw missing(file);
                }
                return null;
            }
            HubHttp.FileMeta meta = head.meta();
            if (commit == null) {
                commit = meta.commit();
            }
            Path blob = cache.blob(meta.etag());
            HubCache.Lock lock = cache.lockBlob(meta.etag());
            try {
                if (!(Files.isRegularFile(blob) && (meta.size() < 0 || Files.size(blob) == meta.size()))) {
                    Path incomplete = cache.incomplete(meta.etag());
                    Files.createDirectories(incomplete.getParent());
                    http().download(repoId, file, meta, incomplete, listener);
                    Files.move(incomplete, blob, StandardCopyOption.REPLACE_EXISTING,
                            StandardCopyOption.ATOMIC_MOVE);
                }
            } finally {
                lock.close();
            }
            Path pointer = cache.link(commit, file, meta.etag());
            cache.writeRef(revision, commit);
            return pointer;
        }

        private ModelResolutionException missing(String file) {
            if (file.equals(ModelFiles.CONFIG)) {
                return new ModelNotFoundException("no such model or revision: " + repoId + " at revision '"
                        + revision + "' has no " + ModelFiles.CONFIG + " (" + settings.endpoint() + ")");
            }
            return new ModelResolutionException(repoId + " at revision '" + revision + "' has no " + file
                    + ", which " + ShardedWeights.INDEX_FILE + " names");
        }
    }
}
