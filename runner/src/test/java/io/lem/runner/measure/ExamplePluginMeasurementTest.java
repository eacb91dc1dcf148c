package io.lem.runner.measure;

import io.lem.api.event.DecodeResult;
import io.lem.api.event.DeviceInfo;
import io.lem.api.event.EnergyReading;
import io.lem.api.event.EventCodec;
import io.lem.api.event.LemEvent;
import io.lem.api.event.PluginInfo;
import io.lem.api.event.PowerSample;
import io.lem.api.event.ProcessStarted;
import io.lem.api.energy.Measurement;
import io.lem.api.plugin.PluginContext;
import io.lem.runner.events.EventEmitter;
import io.lem.runner.events.FileEventSink;
import io.lem.runner.plugins.ExampleConstantPowerPluginTest;
import io.lem.runner.plugins.PluginDirectories;
import io.lem.runner.plugins.PluginDiscovery;
import io.lem.runner.plugins.PluginRegistry;
import io.lem.runner.plugins.SkipReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The integration test: the REAL jar of {@code plugins/example-constant-power}, dropped into a plugins
 * directory beside a broken jar, discovered, selected by name and measured by a {@link ProcessMeasurement} whose
 * events go to a JSONL file.
 *
 * <p>The jar is found at {@code -Dlem.example.plugin.jar=<jar or classes dir>}, else on the test class path (runner
 * declares {@code io.lem:plugin-example-constant-power} test-scoped), else in
 * {@code ../plugins/example-constant-power/target}. A classes directory is jarred here.
 */
class ExamplePluginMeasurementTest {

    private static final double WATTS = 42.0;

    @TempDir
    Path tmp;

    @Test
    void theRealExamplePluginJarMeasures42WattsOverARunWindowAndABrokenJarBesideItIsSkipped() throws Exception {
        Path pluginsDir = Files.createDirectories(tmp.resolve("plugins"));
        Path jar = pluginsDir.resolve("plugin-example-constant-power.jar");
        ExampleConstantPowerPluginTest.copyExamplePluginJar(jar);
        Files.write(pluginsDir.resolve("broken.jar"), new byte[]{'P', 'K', 3, 4, 0, 0, 0});

        String host = "node-7";
        String key = "const:" + host + ":0";
        Path eventsFile = tmp.resolve("events/process-0.jsonl");
        PluginContext context = PluginContext.local(host).withEnvironment(Map.of())
                .withSamplingInterval(Duration.ofMillis(10));
        Measurement run;
        List<DeviceInfo> devices;
        List<PluginInfo> plugins;
        try (PluginRegistry registry = PluginDiscovery.builder()
                .builtIns(false) // the class is on the test class path too: only the jar copy counts here
                .directories(PluginDirectories.only(List.of(pluginsDir)))
                .build()
                .discover(context);
             FileEventSink sink = FileEventSink.open(eventsFile)) {

            assertThat(registry.skipped()).singleElement().satisfies(s -> {
                assertThat(s.source()).isEqualTo(pluginsDir.resolve("broken.jar").toAbsolutePath().toString());
                assertThat(s.reason()).isEqualTo(SkipReason.NOT_A_JAR);
                assertThat(s.message()).startsWith("not a valid jar (zip) file: ");
            });

            EventEmitter emitter = new EventEmitter("exp-example", 0, host, sink);
            try (ProcessMeasurement m = ProcessMeasurement.builder(registry, emitter)
                    .energyPlugins(List.of("constant-power"), List.of()).open()) {
                devices = m.devices();
                plugins = m.plugins();
                assertThat(m.unopened()).isEmpty();
                assertThat(devices).extracting(DeviceInfo::key).containsExactly(key);
                assertThat(plugins).containsExactly(new PluginInfo("constant-power", "0.1.0", "energy"));
                emitter.emit(env -> new ProcessStarted(env, "host-id-7", ProcessHandle.current().pid(), 0, 1,
                        devices, "test cpu", plugins));
                m.startSampling();

                m.begin(ProcessMeasurement.RUN_WINDOW);
                long spinUntil = System.nanoTime() + 100_000_000L; // 100 ms of busy work, no sleep
                long spins = 0;
                while (System.nanoTime() < spinUntil) {
                    spins++;
                    Thread.onSpinWait();
                }
                run = m.end(ProcessMeasurement.RUN_WINDOW);
                assertThat(spins).isPositive();
            }
            sink.flush();
        }

        List<LemEvent> events = read(eventsFile);
        for (int i = 0; i < events.size(); i++) {
            assertThat(events.get(i).envelope().seq()).isEqualTo(i);
        }
        ProcessStarted started = (ProcessStarted) events.get(0);
        assertThat(started.devices()).extracting(DeviceInfo::key).containsExactly(key);
        assertThat(started.plugins()).containsExactly(new PluginInfo("constant-power", "0.1.0", "energy"));

        List<EnergyReading> readings = events.stream().filter(EnergyReading.class::isInstance)
                .map(EnergyReading.class::cast).toList();
        assertThat(readings).singleElement().satisfies(r -> {
            assertThat(r.deviceKey()).isEqualTo(key);
            assertThat(r.window()).isEqualTo("run");
            assertThat(r.method()).isEqualTo("model");
            assertThat(r.source()).isEqualTo("constant-power");
            assertThat(r.uncertaintyJoules()).isNull();
            assertThat(r.windowDurationNanos()).isEqualTo(run.durationNanos())
                    .isGreaterThanOrEqualTo(100_000_000L);
            double seconds = r.windowDurationNanos() / 1e9;
            // the plugin reads its own clock inside the window's clock reads: never more than 42 W × duration,
            // and short of it only by the time of two reads
            assertThat(r.energyJoules()).isLessThanOrEqualTo(WATTS * seconds + 1e-9)
                    .isGreaterThanOrEqualTo(WATTS * seconds * 0.95)
                    .isEqualTo(run.energyJoules(key).getAsDouble());
        });
        assertThat(events.stream().filter(PowerSample.class::isInstance).map(PowerSample.class::cast))
                .allSatisfy(s -> {
                    assertThat(s.deviceKey()).isEqualTo(key);
                    assertThat(s.powerWatts()).isEqualTo(WATTS);
                });
    }

    private static List<LemEvent> read(Path file) throws Exception {
        EventCodec codec = new EventCodec();
        List<LemEvent> events = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            DecodeResult decoded = codec.decode(line);
            assertThat(decoded).isInstanceOf(DecodeResult.Known.class);
            events.add(((DecodeResult.Known) decoded).event());
        }
        return events;
    }
}
