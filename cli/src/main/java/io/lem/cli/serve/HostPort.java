package io.lem.cli.serve;

import io.lem.cli.UserError;

/** A {@code host:port} flag value. */
public record HostPort(String host, int port) {

    public static HostPort parse(String flag, String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new UserError(flag + ": expected HOST:PORT, e.g. 127.0.0.1:7070, was '" + text + "'");
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new HostPort(text.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new UserError(flag + ": port must be 0..65535, was '" + text.substring(colon + 1) + "'");
        }
    }
}
