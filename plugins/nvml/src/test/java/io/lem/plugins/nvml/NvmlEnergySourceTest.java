package io.lem.plugins.nvml;

import io.lem.api.energy.EnergyCounter;
import io.lem.api.energy.EnergyMethod;
import io.lem.api.energy.MemoryReading;
import io.lem.api.event.DeviceInfo;
import io.lem.api.plugin.PluginContext;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.lem.plugins.nvml.NvmlStub.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The opened source against the stub NVML: counters, sampling, memory, device selection, closing. */
class NvmlEnergySourceTest {

    private static final String A = "GPU-aaaaaaaa-1111-2222-3333-444444444444";
    private static final String B = "GPU-bbbbbbbb-1111-2222-3333-444444444444";
    private static final String C = "GPU-cccccccc-1111-2222-3333-444444444444";

    private final NvmlProvider provider = new NvmlProvider();

    private NvmlEnergySource open(PluginContext context) throws Exception {
        return (NvmlEnergySource) provider.open(context);
    }

    @Test
    void counterPathReportsExactDeltasInJoulesSinceOpen() throws Exception {
        NvmlStub stub = NvmlStub.get();
        stub.script("devices=2",
                "device=0 uuid=" + A + " name=NVIDIA_H100_80GB_HBM3 mem_total=85899345920 energy_mj=7000000",
                "device=1 uuid=" + B + " energy_mj=42");

        try (NvmlEnergySource source = open(stub.context())) {
            assertThat(source.devices()).containsExactly(
                    new DeviceInfo("gpu:" + A, "gpu", "NVIDIA H100 80GB HBM3", A, 85_899_345_920L),
                    new DeviceInfo("gpu:" + B, "gpu", "Stub GPU 1", B, 80L << 30));
            assertThat(source.updatePeriod()).isEqualTo(Duration.ofMillis(100));
            assertThat(source.readEnergy().values()).extracting(EnergyCounter::energyJoules).containsExactly(0.0, 0.0);

            stub.apply("device=0 energy_mj=7250500 device=1 energy_mj=1042");
            Map<String, EnergyCounter> energy = source.readEnergy();

            assertThat(energy.get("gpu:" + A).energyJoules()).isEqualTo(250.5);
            assertThat(energy.get("gpu:" + A).method()).isEqualTo(EnergyMethod.COUNTER);
            // Staleness of one 100 ms update at the 100 W the stub draws, plus 1 mJ resolution.
            assertThat(energy.get("gpu:" + A).uncertaintyJoules()).isCloseTo(10.001, within(1e-9));
            assertThat(energy.get("gpu:" + B).energyJoules()).isEqualTo(1.0);
        }
        assertThat(stub.initDepth()).isZero();
    }

    @Test
    void counterResetContinuesFromTheLastGoodValueAndAFailedReadIsAbsent() throws Exception {
        NvmlStub stub = NvmlStub.get();
        String key = "gpu:" + A;
        stub.script("device=0 uuid=" + A + " energy_mj=5000000");

        try (NvmlEnergySource source = open(stub.context())) {
            stub.apply("energy_mj=5100000");
            assertThat(source.readEnergy().get(key).energyJoules()).isEqualTo(100.0);

            stub.apply("energy_mj=2000"); // driver reload: the counter restarts near 0
            assertThat(source.readEnergy().get(key).energyJoules()).isEqualTo(100.0);
            stub.apply("energy_mj=2500");
            assertThat(source.readEnergy().get(key).energyJoules()).isEqualTo(100.5);

            stub.apply("energy_rc=15"); // GPU lost for a moment: absent, never 0, and no exception
            assertThat(source.readEnergy()).doesNotContainKey(key);
            stub.apply("energy_rc=0 energy_mj=3000");
            assertThat(source.readEnergy().get(key).energyJoules()).isEqualTo(101.0);

            GpuMeter meter = source.meter(key);
            synchronized (meter) {
                assertThat(meter.counter().resets()).isEqualTo(1);
            }
        }
    }

    @Test
    void counterNotSupportedFallsBackToSampledPowerMatchingTheExactIntegral() throws Exception {
        NvmlStub stub = NvmlStub.get();
        // GPU 0 has the counter; GPU 1 (pre-Volta) does not: power P(t) = 150 + 60 t + 10 sin(2π t) W.
        double p0 = 150;
        double slope = 60;
        double amp = 10;
        double freq = 1;
        stub.script("devices=2", "device=0 uuid=" + A + " energy_mj=1000",
                "device=1 uuid=" + B + " energy_rc=3 p0=150 slope=60 amp=10 freq=1");
        String sampledKey = "gpu:" + B;
        Duration interval = Duration.ofMillis(20);

        try (NvmlEnergySource source = open(stub.context(interval, Map.of(), Map.of()))) {
            assertThat(source.methods()).containsExactly(Map.entry("gpu:" + A, EnergyMethod.COUNTER),
                    Map.entry(sampledKey, EnergyMethod.SAMPLED_POWER));
            assertThat(source.updatePeriod()).as("the coarser of counter and sampling").isEqualTo(Duration.ofMillis(100));

            Thread sampler = source.sampler().thread();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            Thread.sleep(500); // warm-up half of the measured interval
            long cpu0 = threads.getThreadCpuTime(sampler.getId());
            long ticks0 = source.sampler().ticks();
            Thread.sleep(1_000); // the rest of the measured interval
            long cpuPerTick = (threads.getThreadCpuTime(sampler.getId()) - cpu0)
                    / Math.max(1, source.sampler().ticks() - ticks0);
            await("at least 40 ticks", () -> source.sampler().ticks() >= 40);
            stub.apply("device=0 energy_mj=124456");

            Map<String, EnergyCounter> energy = source.readEnergy();

            assertThat(energy.get("gpu:" + A).method()).isEqualTo(EnergyMethod.COUNTER);
            assertThat(energy.get("gpu:" + A).energyJoules()).isEqualTo(123.456);
            EnergyCounter sampled = energy.get(sampledKey);
            assertThat(sampled.method()).isEqualTo(EnergyMethod.SAMPLED_POWER);
            GpuMeter meter = source.meter(sampledKey);
            double from;
            double to;
            long samples;
            synchronized (meter) {
                from = stub.curveSeconds(meter.integrator().firstNanos());
                to = stub.curveSeconds(meter.integrator().lastNanos());
                samples = meter.integrator().samples();
            }
            double exact = antiderivative(p0, slope, amp, freq, to) - antiderivative(p0, slope, amp, freq, from);
            assertThat(to - from).isGreaterThan(1.4);
            assertThat(samples).isGreaterThan(40);
            assertThat(sampled.energyJoules()).isCloseTo(exact, within(0.005 * exact));
            assertThat(sampled.uncertaintyJoules()).isPositive().isLessThan(0.005 * exact);
            assertThat(Math.abs(sampled.energyJoules() - exact)).as("the estimate bounds the actual error")
                    .isLessThanOrEqualTo(sampled.uncertaintyJoules());
            // The sampler keeps running: read the latest power and its sample time under the meter's lock together.
            double latestPower;
            double latestAt;
            synchronized (meter) {
                latestPower = source.readPowerWatts().get(sampledKey);
                latestAt = stub.curveSeconds(meter.integrator().lastNanos());
            }
            double powerAtLatest = p0 + slope * latestAt + amp * Math.sin(2 * Math.PI * freq * latestAt);
            assertThat(latestPower).isCloseTo(powerAtLatest, within(0.01));

            System.out.printf("sampled %.4f J vs exact %.4f J (±%.4f) over %.3f s, %d samples; sampler CPU %d µs per"
                    + " tick of 2 GPUs%n", sampled.energyJoules(), exact, sampled.uncertaintyJoules(), to - from,
                    samples, cpuPerTick / 1000);
            // A guard against busy loops and heavy per-sample work. Warmed up (JIT), a tick of 2 GPUs costs ~30-50 µs
            // here, 0.03-0.05% of a core at 100 ms; this test's 1.5 s ends before the JIT is done, hence 1 ms.
            assertThat(cpuPerTick).isLessThan(1_000_000);
        }
    }

    private static double antiderivative(double p0, double slope, double amp, double freq, double t) {
        return p0 * t + slope * t * t / 2 - amp / (2 * Math.PI * freq) * Math.cos(2 * Math.PI * freq * t);
    }

    @Test
    void memoryPeakIsTheHighestTheSamplerSawAndUtilizationAndPowerAreRead() throws Exception {
        NvmlStub stub = NvmlStub.get();
        String key = "gpu:" + A;
        stub.script("device=0 uuid=" + A + " mem_total=1000000 mem_used=1000 util_gpu=87 util_mem=40 p0=215.5");

        try (NvmlEnergySource source = open(stub.context(Duration.ofMillis(10), Map.of(), Map.of()))) {
            assertThat(source.readMemory()).containsExactly(Map.entry(key, new MemoryReading(key, 1000, 1000, 1_000_000L)));

            stub.apply("mem_used=5000");
            await("used 5000", () -> source.readMemory().get(key).usedBytes() == 5000);
            stub.apply("mem_used=2000");
            await("used 2000", () -> source.readMemory().get(key).usedBytes() == 2000);

            assertThat(source.readMemory().get(key).peakBytes()).isEqualTo(5000);
            assertThat(source.readUtilization()).containsExactly(Map.entry(key, new GpuUtilization(key, 87, 40)));
            assertThat(source.readPowerWatts()).containsExactly(Map.entry(key, 215.5));
        }
    }

    @Test
    void cudaVisibleDevicesSelectsByIndexAndByUuidInItsOrder() throws Exception {
        NvmlStub stub = NvmlStub.get();
        stub.script("devices=3", "device=0 uuid=" + A, "device=1 uuid=" + B, "device=2 uuid=" + C);

        assertThat(keys(stub.context())).containsExactly("gpu:" + A, "gpu:" + B, "gpu:" + C);
        assertThat(keys(stub.context(Map.of("CUDA_VISIBLE_DEVICES", "2,0")))).containsExactly("gpu:" + C, "gpu:" + A);
        assertThat(keys(stub.context(Map.of("CUDA_VISIBLE_DEVICES", "GPU-bbbbbbbb,GPU-cccccccc-1111-2222-3333-444444444444"))))
                .containsExactly("gpu:" + B, "gpu:" + C);
        assertThat(keys(stub.context(Map.of("CUDA_VISIBLE_DEVICES", "1,9,0")))).containsExactly("gpu:" + B);
        assertThat(stub.initDepth()).isZero();
    }

    private List<String> keys(PluginContext context) throws Exception {
        try (NvmlEnergySource source = open(context)) {
            return source.devices().stream().map(DeviceInfo::key).toList();
        }
    }

    @Test
    void methodSettingForcesSampledPowerWhereTheCounterWorks() throws Exception {
        NvmlStub stub = NvmlStub.get();
        stub.script("device=0 uuid=" + A + " energy_mj=1000");
        PluginContext context = stub.context(Duration.ofMillis(50), Map.of(), Map.of("nvml.method", "sampled-power"));

        try (NvmlEnergySource source = open(context)) {
            assertThat(source.methods()).containsExactly(Map.entry("gpu:" + A, EnergyMethod.SAMPLED_POWER));
            assertThat(source.updatePeriod()).isEqualTo(Duration.ofMillis(50));
            assertThat(source.readEnergy().get("gpu:" + A).method()).isEqualTo(EnergyMethod.SAMPLED_POWER);
        }
    }

    @Test
    void oldDriverWithoutTheEnergyOrMigCallsIsSampled() throws Exception {
        NvmlStub stub = NvmlStub.oldDriver();
        stub.script("device=0 uuid=" + A + " p0=80");

        try (NvmlEnergySource source = open(stub.context())) {
            assertThat(source.methods()).containsExactly(Map.entry("gpu:" + A, EnergyMethod.SAMPLED_POWER));
            assertThat(source.readEnergy().get("gpu:" + A).method()).isEqualTo(EnergyMethod.SAMPLED_POWER);
        }
    }

    @Test
    void closeStopsTheSamplerThreadAndReleasesNvml() throws Exception {
        NvmlStub stub = NvmlStub.get();
        stub.script("device=0 uuid=" + A + " energy_mj=1000");
        NvmlEnergySource source = open(stub.context(Duration.ofMillis(10), Map.of(), Map.of()));
        Thread sampler = source.sampler().thread();
        assertThat(sampler.isDaemon()).isTrue();
        await("three ticks", () -> source.sampler().ticks() >= 3);

        source.close();

        assertThat(sampler.isAlive()).isFalse();
        long powerCalls = stub.calls("nvmlDeviceGetPowerUsage");
        assertThat(source.readEnergy()).isEmpty();
        assertThat(source.readPowerWatts()).isEmpty();
        source.close();
        assertThat(stub.calls("nvmlShutdown")).as("close is idempotent").isEqualTo(1);
        assertThat(stub.initDepth()).isZero();
        assertThat(stub.calls("nvmlDeviceGetPowerUsage")).isEqualTo(powerCalls);
    }
}
