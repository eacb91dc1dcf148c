package io.lem.broker;

import java.nio.file.Path;

/** Another running embedded broker (in this JVM or another process) holds the data dir's lock. */
public final class DataDirInUseException extends BrokerStartException {

    private static final long serialVersionUID = 1L;
    private final transient Path dataDir;

    public DataDirInUseException(Path dataDir, Path lockFile) {
        super("Data dir " + dataDir + " is in use by another running embedded Kafka (it holds the lock " + lockFile
                + "); stop that one or use another data dir");
        this.dataDir = dataDir;
    }

    /** The data dir that is in use. */
    public Path dataDir() {
        return dataDir;
    }
}
