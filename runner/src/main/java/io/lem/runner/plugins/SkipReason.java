package io.lem.runner.plugins;

/** Why a plugin, or one provider of it, was not loaded. Skips are reported and logged; they are never fatal. */
public enum SkipReason {
    /** A {@code --plugins-dir} that does not exist or is not a directory. */
    NOT_A_DIRECTORY("not a directory"),
    /** A directory or file that could not be listed or read. */
    UNREADABLE("unreadable"),
    /** A {@code .jar} that is not a valid zip/jar file: not a zip, truncated, corrupt, or a broken signature. */
    NOT_A_JAR("not a jar"),
    /** The jar or directory has no {@code META-INF/services/io.lem.api.*} file. */
    NO_SERVICE_FILE("no service file"),
    /** A service file with a syntax error (e.g. an illegal class name); the whole file is ignored. */
    BAD_SERVICE_FILE("bad service file"),
    /** The service file names a class that is not in the plugin. */
    CLASS_NOT_FOUND("class not found"),
    /** The named class does not implement the service interface. */
    NOT_A_PROVIDER("not a provider"),
    /** The named class has no public no-argument constructor. */
    NO_PUBLIC_CONSTRUCTOR("no public constructor"),
    /** The constructor (or static initializer) threw. */
    CONSTRUCTOR_FAILED("constructor failed"),
    /** {@link NoClassDefFoundError}: the plugin needs a class it did not bundle and lem does not share. */
    MISSING_DEPENDENCY("missing dependency"),
    /** Another {@link LinkageError}: compiled for a newer Java, or against an incompatible SPI. */
    INCOMPATIBLE_CLASS("incompatible class"),
    /** The service file of a plugin names a class that is not in the plugin but on the application class path. */
    NOT_IN_PLUGIN("class not in plugin"),
    /** {@code name()} or other metadata missing, invalid, or throwing. */
    INVALID_METADATA("invalid metadata"),
    /** Another plugin of the same kind has the same name and wins (built-in first, then higher rank, then first found). */
    DUPLICATE_NAME("duplicate name"),
    /** Any other failure while loading the provider (the message has the details). */
    LOAD_FAILED("load failed");

    private final String label;

    SkipReason(String label) {
        this.label = label;
    }

    /** Lower-case words for listings. */
    public String label() {
        return label;
    }
}
