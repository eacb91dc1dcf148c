package io.lem.runner.plugins;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;

/**
 * The class loader of one plugin (a jar, or a directory with its jars): <b>child-first</b>, so a plugin may bundle its
 * own version of any library, except for the packages it must share with lem, which are <b>parent-first</b>:
 * {@link #PARENT_FIRST_PACKAGES} (the JDK, the plugin SPI {@code io.lem.api.} and the Jackson that plugins-api
 * exposes). A class or resource the plugin does not have comes from the parent (the application class loader).
 *
 * <p>Resources follow the same rule, with one exception: the SPI service files
 * ({@code META-INF/services/io.lem.api.*}) are looked up in the plugin only, never in the parent, so that a
 * {@link java.util.ServiceLoader} over this loader finds the plugin's own providers and not the built-ins on the
 * application class path a second time.
 */
public final class PluginClassLoader extends URLClassLoader {

    static {
        ClassLoader.registerAsParallelCapable();
    }

    /** Class-name prefixes always loaded by the parent first. Besides the list, the JDK's own non-java ones. */
    public static final List<String> PARENT_FIRST_PACKAGES = List.of(
            "java.", "javax.", "jdk.", "sun.", "com.sun.", "org.w3c.dom.", "org.xml.sax.", "org.ietf.jgss.",
            "io.lem.api.", "com.fasterxml.jackson.");

    static final String SERVICES = "META-INF/services/";
    /** Service files the plugin must provide itself: the lem SPI interfaces. */
    static final String OWN_SERVICES_PREFIX = SERVICES + "io.lem.api.";

    private final String location;

    /**
     * @param location what the plugin is, for messages (its jar or directory)
     * @param urls     the plugin's class path: jars and directories
     * @param parent   the application class loader; never null
     */
    public PluginClassLoader(String location, List<URL> urls, ClassLoader parent) {
        super("lem-plugin:" + location, urls.toArray(new URL[0]), Objects.requireNonNull(parent, "parent"));
        this.location = location;
    }

    /** The jar or directory this loader was made for. */
    public String location() {
        return location;
    }

    /** True for classes that must be the application's: the JDK, the SPI, Jackson. */
    public static boolean isParentFirst(String className) {
        for (String prefix : PARENT_FIRST_PACKAGES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** True for resources under a parent-first package, e.g. {@code io/lem/api/...}, or service files of them. */
    static boolean isParentFirstResource(String name) {
        if (name.startsWith(SERVICES)) {
            return isParentFirst(name.substring(SERVICES.length()));
        }
        return isParentFirst(name.replace('/', '.'));
    }

    static boolean isOwnOnlyResource(String name) {
        return name.startsWith(OWN_SERVICES_PREFIX);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (isParentFirst(name)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                try {
                    loaded = findClass(name);
                } catch (ClassNotFoundException notInPlugin) {
                    loaded = getParent().loadClass(name);
                }
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    @Override
    public URL getResource(String name) {
        if (isOwnOnlyResource(name)) {
            return findResource(name);
        }
        if (isParentFirstResource(name)) {
            return super.getResource(name);
        }
        URL own = findResource(name);
        return own != null ? own : getParent().getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (isOwnOnlyResource(name)) {
            return findResources(name);
        }
        if (isParentFirstResource(name)) {
            return super.getResources(name);
        }
        List<URL> urls = new ArrayList<>(Collections.list(findResources(name)));
        urls.addAll(Collections.list(getParent().getResources(name)));
        return Collections.enumeration(urls);
    }

    @Override
    public String toString() {
        return "PluginClassLoader[" + location + "]";
    }
}
