package io.lem.runner.model.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny stand-in for the HuggingFace hub, serving model directories in the hub's URL layout:
 * {@code /{repo}/resolve/{revision}/{file}} (HEAD and GET), as the real hub answers it:
 * <ul>
 *   <li>small files: 200 with {@code ETag} (git blob sha1), {@code X-Repo-Commit}, Content-Length; GET honours Range</li>
 *   <li>{@code *.safetensors} (LFS): 302 to the absolute URL {@code http://.../cdn/<sha256>} with {@code X-Linked-Etag} (sha256),
 *       {@code X-Linked-Size}, {@code X-Repo-Commit}; the CDN serves the bytes with Range support</li>
 *   <li>unknown repo: 401 {@code X-Error-Code: RepoNotFound}; unknown revision: 404 RevisionNotFound; missing file:
 *       404 EntryNotFound with {@code X-Repo-Commit}; gated repo without the right token: 401/403 GatedRepo</li>
 *   <li>an alias (renamed repo) answers 307 with a relative Location to the new name</li>
 * </ul>
 * Faults for tests: serve a file short ({@link #serveShort}), corrupted ({@link #serveCorrupt}), or cut the connection
 * once after some bytes ({@link #interruptOnce}).
 */
final class HubTestServer implements AutoCloseable {

    private static final Pattern RESOLVE = Pattern.compile("/(.+)/resolve/([^/]+)/(.+)");
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    private final HttpServer server;
    private final Map<String, Map<String, String>> refs = new ConcurrentHashMap<>();
    private final Map<String, Path> commits = new ConcurrentHashMap<>();
    private final Map<String, String> gated = new ConcurrentHashMap<>();
    private final Map<String, String> aliases = new ConcurrentHashMap<>();
    private final Map<String, byte[]> cdn = new ConcurrentHashMap<>();
    private final Set<String> shortFiles = ConcurrentHashMap.newKeySet();
    private final Set<String> corruptFiles = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> interrupt = new ConcurrentHashMap<>();
    private final Map<String, long[]> stall = new ConcurrentHashMap<>();
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());
    private int commitCounter;

    private HubTestServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.start();
    }

    static HubTestServer start() throws IOException {
        return new HubTestServer();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Serves {@code dir} as a new commit of {@code repoId}, which {@code branches} (e.g. main) point to. */
    synchronized String publish(String repoId, Path dir, String... branches) {
        String commit = sha1Hex((repoId + "#" + (++commitCounter)).getBytes(StandardCharsets.UTF_8));
        commits.put(commit, dir);
        Map<String, String> r = refs.computeIfAbsent(repoId, k -> new ConcurrentHashMap<>());
        for (String b : branches) {
            r.put(b, commit);
        }
        return commit;
    }

    void gate(String repoId, String token) {
        gated.put(repoId, token);
    }

    void alias(String oldId, String newId) {
        aliases.put(oldId, newId);
    }

    void serveShort(String file) {
        shortFiles.add(file);
    }

    void serveCorrupt(String file) {
        corruptFiles.add(file);
    }

    void interruptOnce(String file, long afterBytes) {
        interrupt.put(file, afterBytes);
    }

    /** Once: after {@code afterBytes} of the body, stop sending for {@code millis}, then go on. */
    void stallOnce(String file, long afterBytes, long millis) {
        stall.put(file, new long[] {afterBytes, millis});
    }

    List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    List<String> authorizations() {
        synchronized (authorizations) {
            return List.copyOf(authorizations);
        }
    }

    void clearRequests() {
        requests.clear();
        authorizations.clear();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getRawPath();
            String range = ex.getRequestHeaders().getFirst("Range");
            requests.add(ex.getRequestMethod() + " " + path + (range != null ? " Range:" + range : ""));
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            authorizations.add(auth == null ? "" : auth);
            if (path.startsWith("/cdn/")) {
                byte[] data = cdn.get(path.substring(5));
                if (data == null) {
                    send(ex, 404, Map.of(), null, null);
                } else {
                    serveBytes(ex, Map.of("ETag", "\"" + path.substring(5) + "\""), data,
                            ex.getRequestURI().getQuery());
                }
                return;
            }
            Matcher m = RESOLVE.matcher(path);
            if (!m.matches()) {
                send(ex, 404, Map.of(), null, null);
                return;
            }
            String repoId = m.group(1);
            String revision = URLDecoder.decode(m.group(2), StandardCharsets.UTF_8);
            String file = URLDecoder.decode(m.group(3), StandardCharsets.UTF_8);
            if (aliases.containsKey(repoId)) {
                send(ex, 307, Map.of("Location", "/" + aliases.get(repoId) + "/resolve/" + m.group(2) + "/"
                        + m.group(3)), null, null);
                return;
            }
            Map<String, String> repoRefs = refs.get(repoId);
            if (repoRefs == null) {
                send(ex, 401, Map.of("X-Error-Code", "RepoNotFound"), null, null);
                return;
            }
            String token = gated.get(repoId);
            if (token != null && !("Bearer " + token).equals(auth)) {
                send(ex, auth == null ? 401 : 403, Map.of("X-Error-Code", "GatedRepo"), null, null);
                return;
            }
            String commit = repoRefs.containsKey(revision) ? repoRefs.get(revision)
                    : commits.containsKey(revision) && repoRefs.containsValue(revision) ? revision : null;
            if (commit == null) {
                send(ex, 404, Map.of("X-Error-Code", "RevisionNotFound"), null, null);
                return;
            }
            Path f = commits.get(commit).resolve(file).normalize();
            if (!f.startsWith(commits.get(commit)) || !Files.isRegularFile(f)) {
                send(ex, 404, Map.of("X-Error-Code", "EntryNotFound", "X-Repo-Commit", commit), null, null);
                return;
            }
            byte[] data = Files.readAllBytes(f);
            if (file.endsWith(".safetensors")) {
                String sha256 = sha256Hex(data);
                byte[] served = data;
                if (shortFiles.contains(file)) {
                    served = java.util.Arrays.copyOf(data, data.length - 10);
                } else if (corruptFiles.contains(file)) {
                    served = data.clone();
                    served[served.length / 2] ^= 0x55;
                }
                cdn.put(sha256, served);
                Map<String, String> h = new HashMap<>();
                // absolute, as the hub's redirects to its CDN are
                h.put("Location", endpoint() + "/cdn/" + sha256 + "?file=" + m.group(3));
                h.put("X-Linked-Etag", "\"" + sha256 + "\"");
                h.put("X-Linked-Size", Long.toString(data.length));
                h.put("X-Repo-Commit", commit);
                h.put("ETag", "\"" + sha1Hex(data) + "\"");
                send(ex, 302, h, null, null);
                return;
            }
            Map<String, String> h = new HashMap<>();
            h.put("ETag", "\"" + gitBlobSha1(data) + "\"");
            h.put("X-Repo-Commit", commit);
            serveBytes(ex, h, shortFiles.contains(file) ? java.util.Arrays.copyOf(data, data.length - 1) : data,
                    "file=" + m.group(3));
        } catch (IOException | RuntimeException e) {
            // the client sees a broken connection
        }
    }

    private void serveBytes(HttpExchange ex, Map<String, String> headers, byte[] data, String query)
            throws IOException {
        String file = query != null && query.startsWith("file=")
                ? URLDecoder.decode(query.substring(5), StandardCharsets.UTF_8) : "";
        Map<String, String> h = new HashMap<>(headers);
        h.put("Accept-Ranges", "bytes");
        String range = ex.getRequestHeaders().getFirst("Range");
        int from = 0;
        int code = 200;
        if (range != null) {
            Matcher r = RANGE.matcher(range);
            if (r.matches()) {
                from = Integer.parseInt(r.group(1));
                if (from >= data.length) {
                    h.put("Content-Range", "bytes */" + data.length);
                    send(ex, 416, h, null, null);
                    return;
                }
                code = 206;
                h.put("Content-Range", "bytes " + from + "-" + (data.length - 1) + "/" + data.length);
            }
        }
        byte[] body = java.util.Arrays.copyOfRange(data, from, data.length);
        Long cut = ex.getRequestMethod().equals("GET") ? interrupt.remove(file) : null;
        long[] pause = ex.getRequestMethod().equals("GET") ? stall.remove(file) : null;
        if (pause != null && pause[0] < body.length) {
            headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            h.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            ex.sendResponseHeaders(code, body.length);
            OutputStream out = ex.getResponseBody();
            out.write(body, 0, (int) pause[0]);
            out.flush();
            try {
                Thread.sleep(pause[1]);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.write(body, (int) pause[0], body.length - (int) pause[0]);
            return;
        }
        send(ex, code, h, body, cut);
    }

    private static void send(HttpExchange ex, int code, Map<String, String> headers, byte[] body, Long cutAfter)
            throws IOException {
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        boolean head = ex.getRequestMethod().equals("HEAD");
        if (head) {
            if (body != null) {
                ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            }
            ex.sendResponseHeaders(code, -1);
            return;
        }
        if (body == null || body.length == 0) {
            ex.sendResponseHeaders(code, -1);
            return;
        }
        ex.sendResponseHeaders(code, body.length);
        OutputStream out = ex.getResponseBody();
        if (cutAfter != null && cutAfter < body.length) {
            out.write(body, 0, (int) (long) cutAfter);
            out.flush();
            // closing with bytes missing makes the server drop the connection mid-body
            throw new IOException("cut on purpose");
        }
        out.write(body);
    }

    static String sha256Hex(byte[] data) {
        return hex("SHA-256", data);
    }

    static String sha1Hex(byte[] data) {
        return hex("SHA-1", data);
    }

    static String gitBlobSha1(byte[] data) {
        byte[] prefix = ("blob " + data.length + "\0").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[prefix.length + data.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(data, 0, all, prefix.length, data.length);
        return sha1Hex(all);
    }

    private static String hex(String algorithm, byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
