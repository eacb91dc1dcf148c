package io.lem.cli.model;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for the HuggingFace hub serving one repository at one commit in the hub's URL layout
 * ({@code /{org}/{name}/resolve/{revision}/{file}}, HEAD and GET, ETag = git blob sha1, {@code X-Repo-Commit});
 * any file it does not hold answers 404 EntryNotFound, an unknown repository 401 RepoNotFound, as the hub does.
 * Records every request so tests can check that nothing but config.json was asked for.
 */
final class ConfigOnlyHub implements AutoCloseable {

    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    private final HttpServer server;
    private final String repo;
    private final Map<String, byte[]> files;
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

    ConfigOnlyHub(String repo, Map<String, byte[]> files) throws IOException {
        this.repo = repo;
        this.files = Map.copyOf(files);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getRawPath();
        requests.add(ex.getRequestMethod() + " " + path);
        String prefix = "/" + repo + "/resolve/";
        if (!path.startsWith(prefix)) {
            ex.getResponseHeaders().add("X-Error-Code", "RepoNotFound");
            ex.sendResponseHeaders(401, -1);
            ex.close();
            return;
        }
        String rest = path.substring(prefix.length());
        String file = rest.substring(rest.indexOf('/') + 1);
        ex.getResponseHeaders().add("X-Repo-Commit", COMMIT);
        byte[] body = files.get(file);
        if (body == null) {
            ex.getResponseHeaders().add("X-Error-Code", "EntryNotFound");
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        ex.getResponseHeaders().add("ETag", "\"" + gitBlobSha1(body) + "\"");
        boolean head = ex.getRequestMethod().equals("HEAD");
        if (head) {
            ex.getResponseHeaders().add("Content-Length", Integer.toString(body.length));
        }
        ex.sendResponseHeaders(200, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        ex.close();
    }

    private static String gitBlobSha1(byte[] content) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            sha1.update(("blob " + content.length + "\0").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha1.digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
