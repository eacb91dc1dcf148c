package io.lem.runner.model.hub;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How lem talks to the HuggingFace hub, from the same environment variables as Python's {@code huggingface_hub}, so a
 * model downloaded by either is found by the other.
 *
 * <ul>
 *   <li>{@code HF_ENDPOINT}: hub URL, default {@code https://huggingface.co} (tests point it at a local server)</li>
 *   <li>{@code HF_TOKEN} (or the legacy {@code HUGGING_FACE_HUB_TOKEN}), else the token file written by
 *       {@code huggingface-cli login}: {@code $HF_TOKEN_PATH}, else {@code $HF_HOME/token}</li>
 *   <li>{@code HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else {@code $XDG_CACHE_HOME/huggingface/hub}, else
 *       {@code ~/.cache/huggingface/hub}</li>
 *   <li>{@code HF_HUB_OFFLINE} (or {@code TRANSFORMERS_OFFLINE}) = 1/true/yes/on: never touch the network</li>
 *   <li>{@code HF_HUB_ETAG_TIMEOUT} (metadata requests) and {@code HF_HUB_DOWNLOAD_TIMEOUT}, seconds, default 10</li>
 * </ul>
 *
 * {@link #toString()} never shows the token.
 *
 * @param token null when none is configured
 */
public record HubSettings(URI endpoint, String token, Path cacheDir, boolean offline, Duration metadataTimeout,
        Duration downloadTimeout) {

    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    public HubSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(metadataTimeout, "metadataTimeout");
        Objects.requireNonNull(downloadTimeout, "downloadTimeout");
        String s = endpoint.toString();
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        endpoint = URI.create(s);
        if (endpoint.getScheme() == null || endpoint.getHost() == null
                || !(endpoint.getScheme().equals("http") || endpoint.getScheme().equals("https"))) {
            throw new IllegalArgumentException("hub endpoint must be an http(s) URL, got '" + s + "'");
        }
        if (token != null && token.isBlank()) {
            token = null;
        }
    }

    /** From the process environment: the one place lem reads it for the hub. */
    public static HubSettings fromSystemEnvironment() {
        return fromEnv(System.getenv());
    }

    public static HubSettings fromEnv(Map<String, String> env) {
        return fromEnv(env, Path.of(System.getProperty("user.home")));
    }

    /** From {@code env}; {@code home} stands for {@code ~} when no variable names a directory. */
    public static HubSettings fromEnv(Map<String, String> env, Path home) {
        String endpointText = nonBlank(env.get("HF_ENDPOINT"));
        URI endpoint;
        try {
            endpoint = URI.create(endpointText != null ? endpointText.trim() : DEFAULT_ENDPOINT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("HF_ENDPOINT is not a URL: '" + endpointText + "'");
        }
        Path hfHome;
        if (nonBlank(env.get("HF_HOME")) != null) {
            hfHome = Path.of(env.get("HF_HOME"));
        } else if (nonBlank(env.get("XDG_CACHE_HOME")) != null) {
            hfHome = Path.of(env.get("XDG_CACHE_HOME"), "huggingface");
        } else {
            hfHome = home.resolve(".cache").resolve("huggingface");
        }
        Path cache = nonBlank(env.get("HF_HUB_CACHE")) != null ? Path.of(env.get("HF_HUB_CACHE"))
                : hfHome.resolve("hub");

        String token = nonBlank(env.get("HF_TOKEN"));
        if (token == null) {
            token = nonBlank(env.get("HUGGING_FACE_HUB_TOKEN"));
        }
        if (token == null) {
            Path tokenFile = nonBlank(env.get("HF_TOKEN_PATH")) != null ? Path.of(env.get("HF_TOKEN_PATH"))
                    : hfHome.resolve("token");
            token = readTokenFile(tokenFile);
        }
        boolean offline = isTrue(env.get("HF_HUB_OFFLINE")) || isTrue(env.get("TRANSFORMERS_OFFLINE"));
        return new HubSettings(endpoint, token == null ? null : token.trim(), cache, offline,
                seconds(env, "HF_HUB_ETAG_TIMEOUT"), seconds(env, "HF_HUB_DOWNLOAD_TIMEOUT"));
    }

    private static String readTokenFile(Path file) {
        try {
            if (Files.isRegularFile(file)) {
                return nonBlank(Files.readString(file, StandardCharsets.UTF_8).trim());
            }
        } catch (IOException | RuntimeException e) {
            // an unreadable token file is the same as none
        }
        return null;
    }

    private static Duration seconds(Map<String, String> env, String key) {
        String v = nonBlank(env.get(key));
        if (v == null) {
            return DEFAULT_TIMEOUT;
        }
        try {
            double s = Double.parseDouble(v.trim());
            if (s <= 0 || Double.isNaN(s) || Double.isInfinite(s)) {
                throw new NumberFormatException();
            }
            return Duration.ofMillis(Math.round(s * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a positive number of seconds, got '" + v + "'");
        }
    }

    private static boolean isTrue(String v) {
        if (v == null) {
            return false;
        }
        String s = v.trim().toUpperCase(Locale.ROOT);
        return s.equals("1") || s.equals("ON") || s.equals("YES") || s.equals("TRUE");
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    public boolean hasToken() {
        return token != null;
    }

    public HubSettings withOffline(boolean value) {
        return new HubSettings(endpoint, token, cacheDir, value, metadataTimeout, downloadTimeout);
    }

    public HubSettings withCacheDir(Path dir) {
        return new HubSettings(endpoint, token, dir, offline, metadataTimeout, downloadTimeout);
    }

    public HubSettings withToken(String value) {
        return new HubSettings(endpoint, value, cacheDir, offline, metadataTimeout, downloadTimeout);
    }

    @Override
    public String toString() {
        return "HubSettings[endpoint=" + endpoint + ", token=" + (token == null ? "none" : "***redacted***")
                + ", cacheDir=" + cacheDir + ", offline=" + offline + ", metadataTimeout=" + metadataTimeout
                + ", downloadTimeout=" + downloadTimeout + "]";
    }
}
