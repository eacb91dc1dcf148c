package io.lem.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** This machine's host name, as used in device keys and event envelopes. */
public final class HostName {
    private HostName() {
    }

    public static String local() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
