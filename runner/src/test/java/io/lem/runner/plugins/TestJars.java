package io.lem.runner.plugins;

import io.lem.api.plugin.LemPlugin;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Builds plugin jars inside tests: compile Java source with javac against plugins-api, then jar the classes. */
final class TestJars {

    private TestJars() {
    }

    /** Compiles {@code sources} (fully qualified class name → source text) into {@code out}, against plugins-api. */
    static void compile(Path workDir, Path out, Map<String, String> sources) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac).as("a JDK (javac) is needed to build test plugins").isNotNull();
        Path src = workDir.resolve("src");
        List<Path> files = new ArrayList<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path file = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, e.getValue());
            files.add(file);
        }
        Files.createDirectories(out);
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("--release", "17", "-classpath", apiClassPath(), "-d", out.toString(),
                    "-implicit:none", "-proc:none");
            boolean ok = javac.getTask(null, fm, diagnostics, options, null, fm.getJavaFileObjectsFromPaths(files)).call();
            String errors = diagnostics.getDiagnostics().stream().filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                    .map(Object::toString).collect(Collectors.joining("\n"));
            assertThat(ok).as("test plugin sources compile:\n" + errors).isTrue();
        }
    }

    /** plugins-api (and the Jackson it uses) as a javac class path. */
    static String apiClassPath() {
        List<String> entries = new ArrayList<>();
        entries.add(location(LemPlugin.class));
        for (String name : List.of("com.fasterxml.jackson.annotation.JsonProperty",
                "com.fasterxml.jackson.databind.ObjectMapper", "com.fasterxml.jackson.core.JsonParser")) {
            try {
                entries.add(location(Class.forName(name)));
            } catch (ClassNotFoundException e) {
                // not needed to compile plugins
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The class files of {@code classNames} (with their nested classes) under {@code classesDir}, as jar entries. */
    static Map<String, byte[]> classes(Path classesDir, String... classNames) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (String name : classNames) {
            Path file = classesDir.resolve(name.replace('.', '/') + ".class");
            String simple = file.getFileName().toString().replace(".class", "");
            try (Stream<Path> siblings = Files.list(file.getParent())) {
                for (Path p : siblings.sorted().toList()) {
                    String f = p.getFileName().toString();
                    if (f.equals(simple + ".class") || f.startsWith(simple + "$")) {
                        entries.put(classesDir.relativize(p).toString().replace(File.separatorChar, '/'),
                                Files.readAllBytes(p));
                    }
                }
            }
            assertThat(entries).as("compiled " + name).containsKey(classesDir.relativize(file).toString()
                    .replace(File.separatorChar, '/'));
        }
        return entries;
    }

    /** {@code META-INF/services/<service>} naming {@code providers}. */
    static Map<String, byte[]> serviceFile(Class<?> service, String... providers) {
        return Map.of("META-INF/services/" + service.getName(),
                (String.join("\n", providers) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** A jar of the merged {@code parts} (entry name → bytes), with a manifest. */
    @SafeVarargs
    static Path jar(Path file, Map<String, byte[]>... parts) throws IOException {
        Files.createDirectories(file.getParent());
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            for (Map<String, byte[]> part : parts) {
                for (Map.Entry<String, byte[]> e : part.entrySet()) {
                    jar.putNextEntry(new JarEntry(e.getKey()));
                    jar.write(e.getValue());
                    jar.closeEntry();
                }
            }
        }
        return file;
    }

    /** Writes the entries as files under {@code dir}: an exploded plugin. */
    @SafeVarargs
    static Path explode(Path dir, Map<String, byte[]>... parts) throws IOException {
        for (Map<String, byte[]> part : parts) {
            for (Map.Entry<String, byte[]> e : part.entrySet()) {
                Path file = dir.resolve(e.getKey());
                Files.createDirectories(file.getParent());
                Files.write(file, e.getValue());
            }
        }
        return dir;
    }

    /** Every file under {@code root} as jar entries (e.g. a module's {@code target/classes}). */
    static Map<String, byte[]> tree(Path root) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted().toList()) {
                entries.put(root.relativize(p).toString().replace(File.separatorChar, '/'), Files.readAllBytes(p));
            }
        }
        return entries;
    }

    static Map<String, byte[]> text(String entry, String content) {
        return Map.of(entry, content.getBytes(StandardCharsets.UTF_8));
    }

    /** The class path root holding the built-in fixtures' service files ({@code src/test/resources/plugins/classpath}). */
    static URL fixturesRoot() {
        URL services = TestJars.class.getClassLoader()
                .getResource("plugins/classpath/META-INF/services/io.lem.api.energy.EnergySourceProvider");
        assertThat(services).as("fixture service file on the test class path").isNotNull();
        try {
            return Path.of(services.toURI()).getParent().getParent().getParent().toUri().toURL();
        } catch (URISyntaxException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Source of an energy provider with the given name and rank; {@code body} adds or overrides members. */
    static String energyProvider(String fqcn, String name, int rank, String body) {
        int dot = fqcn.lastIndexOf('.');
        String pkg = fqcn.substring(0, dot);
        String cls = fqcn.substring(dot + 1);
        String defaults = ""
                + (body.contains(" name()") ? "" : "  public String name() { return \"" + name + "\"; }\n")
                + (body.contains(" probe(") ? "" : "  public Availability probe(PluginContext c) { return Availability.yes(); }\n")
                + (body.contains(" description()") ? "" : "  public String description() { return \"test plugin\"; }\n");
        return "package " + pkg + ";\n"
                + "import io.lem.api.energy.*;\nimport io.lem.api.plugin.*;\n"
                + "public class " + cls + " implements EnergySourceProvider {\n"
                + defaults
                + "  public String version() { return \"2.0-ext\"; }\n"
                + "  public int rank() { return " + rank + "; }\n"
                + "  public Scope scope() { return Scope.PROCESS; }\n"
                + "  public EnergySource open(PluginContext c) throws PluginException { throw new PluginException(\"test\"); }\n"
                + body
                + "}\n";
    }
}
