package io.lem.runner.model.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hub's file protocol: {@code HEAD/GET {endpoint}/{repo}/resolve/{revision}/{file}}. A HEAD answers with the
 * commit ({@code X-Repo-Commit}), the ETag ({@code X-Linked-Etag} for LFS files, whose resolve URL redirects to a
 * CDN, else {@code ETag}) and the size ({@code X-Linked-Size}, else {@code Content-Length}). Redirects are followed by
 * hand so that the token (Authorization: Bearer) goes to the hub's host only and never elsewhere; it is never logged
 * and never part of a message.
 */
final class HubHttp {

    static final String USER_AGENT = "lem/0.1; java/" + Runtime.version().feature();
    private static final int MAX_REDIRECTS = 10;
    private static final int BUFFER = 1 << 20;
    private static final int ATTEMPTS = 3;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    /** What a HEAD said about a file. {@code size} is -1 when unknown. */
    record FileMeta(String commit, String etag, long size, URI downloadUri) {
    }

    /** Outcome of a HEAD: the metadata, or that the file does not exist at that revision (commit when known). */
    record Head(FileMeta meta, boolean missing, String missingCommit) {
    }

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lem-download-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final HubSettings settings;
    private final HttpClient client;
    private int requests;

    HubHttp(HubSettings settings) {
        this.settings = settings;
        HttpClient.Builder b = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.metadataTimeout());
        if ("http".equals(settings.endpoint().getScheme())) {
            b.version(HttpClient.Version.HTTP_1_1);
        }
        this.client = b.build();
    }

    int requests() {
        return requests;
    }

    URI resolveUri(String repoId, String revision, String file) {
        StringBuilder sb = new StringBuilder(settings.endpoint().toString()).append('/').append(repoId)
                .append("/resolve/").append(encodeSegment(revision));
        for (String part : file.split("/")) {
            sb.append('/').append(encodeSegment(part));
        }
        return URI.create(sb.toString());
    }

    static String encodeSegment(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(String.format(Locale.ROOT, "%02X", c));
            }
        }
        return sb.toString();
    }

    Head head(String repoId, String revision, String file) throws IOException {
        URI uri = resolveUri(repoId, revision, file);
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<Void> r = send(request(uri, settings.metadataTimeout()).method("HEAD",
                    HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding(), uri);
            int code = r.statusCode();
            HttpHeaders h = r.headers();
            if (code == 404) {
                String errorCode = h.firstValue("X-Error-Code").orElse("");
                if (errorCode.equals("RepoNotFound") || errorCode.equals("RevisionNotFound")) {
                    throw notFound(repoId, revision, code);
                }
                return new Head(null, true, h.firstValue("X-Repo-Commit").orElse(null));
            }
            if (code == 401 || code == 403) {
                throw denied(repoId, revision, code, h);
            }
            Optional<String> location = h.firstValue("Location");
            boolean redirect = code >= 300 && code < 400 && location.isPresent();
            if (redirect && isRelative(location.get())) {
                // within the hub, e.g. a renamed repository: follow. An absolute redirect (an LFS file's CDN URL)
                // is where the bytes are; its metadata is in this response. (huggingface_hub does the same.)
                uri = uri.resolve(location.get());
                continue;
            }
            if (code != 200 && !redirect) {
                throw unexpected(repoId, file, code);
            }
            String commit = h.firstValue("X-Repo-Commit").orElse(null);
            String etag = normalizeEtag(h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).orElse(null));
            if (commit == null || etag == null) {
                throw new ModelResolutionException("the answer of " + settings.endpoint() + " for " + repoId + " "
                        + file + " lacks " + (commit == null ? "X-Repo-Commit" : "an ETag")
                        + "; is HF_ENDPOINT a HuggingFace hub?");
            }
            if (!HubCache.COMMIT.matcher(commit).matches()) {
                throw new ModelResolutionException("the hub answered commit '" + commit + "' for " + repoId
                        + ", not a commit hash");
            }
            if (!HubCache.isSafeEtag(etag)) {
                throw new ModelResolutionException("the hub answered ETag '" + etag + "' for " + repoId + " " + file
                        + ", which cannot name a cache file");
            }
            long size = parseLong(h.firstValue("X-Linked-Size").orElse(null));
            if (size < 0 && !redirect) {
                size = parseLong(h.firstValue("Content-Length").orElse(null));
            }
            return new Head(new FileMeta(commit, etag, size, redirect ? uri.resolve(location.get()) : uri), false,
                    null);
        }
        throw new ModelResolutionException("too many redirects for " + repoId + " " + file);
    }

    /**
     * Downloads into {@code incomplete}, resuming from its current length with a Range request. Returns normally
     * when the file is complete with the expected size and (for LFS files) sha256; on a size or checksum mismatch the
     * partial file is deleted and a one-line error thrown. An interrupted transfer leaves it for the next attempt.
     */
    void download(String repoId, String file, FileMeta meta, Path incomplete, DownloadListener listener)
            throws IOException {
        MessageDigest sha256 = SHA256.matcher(meta.etag()).matches() ? newSha256() : null;
        long have = Files.isRegularFile(incomplete) ? Files.size(incomplete) : 0;
        if (meta.size() >= 0 && have > meta.size()) {
            Files.delete(incomplete);
            have = 0;
        }
        if (sha256 != null && have > 0) {
            digestPrefix(incomplete, have, sha256);
        }
        listener.started(repoId, file, meta.size(), have);
        try {
            for (int attempt = 1; meta.size() < 0 || have < meta.size() || meta.size() == 0; attempt++) {
                try {
                    have = fetch(repoId, file, meta, incomplete, have, sha256, listener);
                    break;
                } catch (InterruptedDownload e) {
                    if (attempt >= ATTEMPTS) {
                        throw e;
                    }
                    have = Files.isRegularFile(incomplete) ? Files.size(incomplete) : 0;
                    if (sha256 != null) {
                        sha256.reset();
                        digestPrefix(incomplete, have, sha256);
                    }
                }
            }
            if (!Files.exists(incomplete)) {
                Files.createFile(incomplete);
            }
            long got = Files.size(incomplete);
            if (meta.size() >= 0 && got != meta.size()) {
                Files.deleteIfExists(incomplete);
                throw new ModelResolutionException("download of " + repoId + " " + file + " is corrupt: received "
                        + got + " bytes, expected " + meta.size() + "; the partial file was removed, run again");
            }
            if (sha256 != null) {
                String actual = HexFormat.of().formatHex(sha256.digest());
                if (!actual.equals(meta.etag())) {
                    Files.deleteIfExists(incomplete);
                    throw new ModelResolutionException("download of " + repoId + " " + file + " is corrupt: sha256 "
                            + actual + ", expected " + meta.etag() + "; the file was removed, run again");
                }
            }
            listener.finished(repoId, file, got);
        } catch (IOException | RuntimeException e) {
            listener.failed(repoId, file, e.getMessage());
            throw e;
        }
    }

    /** A transfer that broke off; the partial file stays for resuming. */
    static final class InterruptedDownload extends ModelResolutionException {
        InterruptedDownload(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private long fetch(String repoId, String file, FileMeta meta, Path incomplete, long have, MessageDigest sha256,
            DownloadListener listener) throws IOException {
        URI uri = meta.downloadUri();
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder rb = request(uri, settings.downloadTimeout()).GET();
            if (have > 0) {
                rb.header("Range", "bytes=" + have + "-");
            }
            HttpResponse<InputStream> r = send(rb.build(), HttpResponse.BodyHandlers.ofInputStream(), uri);
            int code = r.statusCode();
            Optional<String> location = r.headers().firstValue("Location");
            if (code >= 300 && code < 400 && location.isPresent()) {
                r.body().close();
                uri = uri.resolve(location.get());
                continue;
            }
            try (InputStream body = r.body()) {
                if (code == 416 && have > 0) {
                    // nothing past what we have: the size check decides
                    return have;
                }
                if (code == 401 || code == 403) {
                    throw denied(repoId, meta.commit(), code, r.headers());
                }
                if (code == 404) {
                    throw new ModelResolutionException(repoId + " " + file + " vanished from " + settings.endpoint()
                            + " during the download (HTTP 404)");
                }
                boolean append;
                if (code == 206 && have > 0) {
                    Matcher m = CONTENT_RANGE.matcher(r.headers().firstValue("Content-Range").orElse(""));
                    if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                        throw new ModelResolutionException("the server resumed " + repoId + " " + file
                                + " at the wrong place (Content-Range '"
                                + r.headers().firstValue("Content-Range").orElse("") + "', asked for " + have + "-)");
                    }
                    append = true;
                } else if (code == 200) {
                    append = false;
                    if (have > 0 && sha256 != null) {
                        sha256.reset();
                    }
                    have = 0;
                } else {
                    throw unexpected(repoId, file, code);
                }
                return copy(repoId, file, body, incomplete, append, have, sha256, listener);
            }
        }
        throw new ModelResolutionException("too many redirects downloading " + repoId + " " + file);
    }

    private long copy(String repoId, String file, InputStream body, Path incomplete, boolean append, long have,
            MessageDigest sha256, DownloadListener listener) throws IOException {
        Files.createDirectories(incomplete.getParent());
        long done = have;
        // a body that stalls longer than the download timeout is closed, which ends the blocked read: the attempt
        // counts as interrupted and is resumed
        long stallNanos = settings.downloadTimeout().toNanos();
        AtomicLong lastProgress = new AtomicLong(System.nanoTime());
        ScheduledFuture<?> watchdog = WATCHDOG.scheduleWithFixedDelay(() -> {
            if (System.nanoTime() - lastProgress.get() > stallNanos) {
                try {
                    body.close();
                } catch (IOException ignored) {
                    // closing is all we can do
                }
            }
        }, 1, 1, TimeUnit.SECONDS);
        try (FileChannel out = append
                ? FileChannel.open(incomplete, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND)
                : FileChannel.open(incomplete, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = body.read(buf)) >= 0) {
                lastProgress.set(System.nanoTime());
                if (n == 0) {
                    continue;
                }
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    out.write(bb);
                }
                if (sha256 != null) {
                    sha256.update(buf, 0, n);
                }
                done += n;
                listener.progressed(repoId, file, done);
            }
        } catch (IOException e) {
            throw new InterruptedDownload("download of " + repoId + " " + file + " was interrupted after "
                    + done + " bytes (" + e.getMessage() + "); run again to resume", e);
        } finally {
            watchdog.cancel(false);
        }
        return done;
    }

    private static void digestPrefix(Path file, long length, MessageDigest digest) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[BUFFER];
            long left = length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    break;
                }
                digest.update(buf, 0, n);
                left -= n;
            }
        }
    }

    private HttpRequest.Builder request(URI uri, java.time.Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("User-Agent", USER_AGENT)
                .header("Accept-Encoding", "identity");
        if (settings.token() != null && sameOrigin(uri, settings.endpoint())) {
            b.header("Authorization", "Bearer " + settings.token());
        }
        return b;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI u) {
        return u.getPort() >= 0 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, URI uri)
            throws IOException {
        requests++;
        try {
            return client.send(request, handler);
        } catch (HttpTimeoutException e) {
            throw new ModelResolutionException("no answer from " + origin(uri) + " within the timeout ("
                    + "HF_HUB_ETAG_TIMEOUT / HF_HUB_DOWNLOAD_TIMEOUT); set HF_HUB_OFFLINE=1 to use the cache only", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while talking to " + origin(uri));
        } catch (IOException e) {
            throw new ModelResolutionException("cannot reach " + origin(uri) + " (" + e.getClass().getSimpleName()
                    + (e.getMessage() != null ? ": " + e.getMessage() : "") + "); set HF_ENDPOINT to a reachable hub"
                    + " or HF_HUB_OFFLINE=1 to use the cache only", e);
        }
    }

    private static String origin(URI uri) {
        return uri.getScheme() + "://" + uri.getAuthority();
    }

    private ModelResolutionException notFound(String repoId, String revision, int code) {
        return new ModelNotFoundException("no such model or revision: " + repoId + " at revision '" + revision
                + "' (HTTP " + code + " from " + settings.endpoint() + ")");
    }

    private ModelResolutionException denied(String repoId, String revision, int code, HttpHeaders h) {
        String errorCode = h.firstValue("X-Error-Code").orElse("");
        if (errorCode.equals("RepoNotFound") || errorCode.equals("RevisionNotFound")) {
            return new ModelNotFoundException("no such model or revision: " + repoId + " at revision '" + revision
                    + "' (HTTP " + code + " from " + settings.endpoint() + "; if the model is private or gated, set"
                    + " HF_TOKEN to a token with access)");
        }
        String why = settings.hasToken()
                ? "the token in HF_TOKEN has no access to it: for a gated model, accept its terms on the hub with"
                        + " that account"
                : "the model is gated or private: accept its terms on the hub and set HF_TOKEN to a token with"
                        + " access";
        return new ModelResolutionException("access to " + repoId + " denied by " + settings.endpoint() + " (HTTP "
                + code + "): " + why);
    }

    private ModelResolutionException unexpected(String repoId, String file, int code) {
        return new ModelResolutionException("unexpected HTTP " + code + " from " + settings.endpoint() + " for "
                + repoId + " " + file);
    }

    private static boolean isRelative(String location) {
        try {
            return URI.create(location).getRawAuthority() == null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static String normalizeEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String e = etag.trim();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e.isEmpty() ? null : e;
    }

    private static long parseLong(String s) {
        if (s == null) {
            return -1;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
