package io.lem.plugins.nvml;

import io.lem.api.energy.EnergySourceProvider;
import io.lem.api.energy.Scope;
import io.lem.api.plugin.Availability;
import io.lem.api.plugin.PluginContext;
import io.lem.api.plugin.PluginException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** When the plugin is unavailable, and that it says why and how to fix it. */
class NvmlProbeTest {

    private static final String UUID_0 = "GPU-aaaaaaaa-1111-2222-3333-444444444444";
    private static final String UUID_1 = "GPU-bbbbbbbb-1111-2222-3333-444444444444";

    private final NvmlProvider provider = new NvmlProvider();

    @Test
    void isFoundByServiceLoaderAsAProcessScopedEnergySource() {
        assertThat(ServiceLoader.load(EnergySourceProvider.class).stream().map(ServiceLoader.Provider::type))
                .contains(NvmlProvider.class);
        assertThat(provider.name()).isEqualTo("nvml");
        assertThat(provider.scope()).isEqualTo(Scope.PROCESS);
    }

    @Test
    void missingLibraryIsUnavailableWithTheFix() {
        PluginContext context = new PluginContext("h", 0, Duration.ofMillis(100),
                Map.of("nvml.library", "/nonexistent/libnvidia-ml.so.1"), Map.of());

        Availability availability = provider.probe(context);

        assertThat(availability.available()).isFalse();
        assertThat(availability.reason()).contains("cannot load NVML from '/nonexistent/libnvidia-ml.so.1'",
                "NVIDIA driver not installed or libnvidia-ml.so.1 not on the library path; set nvml.library");
        assertThatThrownBy(() -> provider.open(context)).isInstanceOf(PluginException.class)
                .hasMessage(availability.reason());
    }

    @Test
    void workingGpuIsAvailableAndProbeReleasesNvml() throws Exception {
        NvmlStub stub = NvmlStub.get();
        stub.script("device=0 uuid=" + UUID_0);

        assertThat(provider.probe(stub.context())).isEqualTo(Availability.yes());
        assertThat(stub.initDepth()).as("nvmlInit_v2 balanced by nvmlShutdown").isZero();
        assertThat(stub.calls("nvmlInit_v2")).isEqualTo(1);
    }

    @Test
    void noPermissionAtInitIsUnavailableWithTheFix() throws Exception {
        NvmlStub stub = NvmlStub.get();
        stub.script("init_rc=4");

        Availability availability = provider.probe(stub.context());

        assertThat(availability.available()).isFalse();
        assertThat(availability.reason()).isEqualTo("nvmlInit_v2 returned NVML_ERROR_NO_PERMISSION (4, \"Insufficient"
                + " Permissions\"): " + NvmlError.NO_PERMISSION.fix());
        assertThat(availability.reason()).contains("run as a user allowed to query the GPU");
    }

    @Test
    void noPermissionOnACallMakesTheGpuUnmeasurableAndSaysWhich() throws Exception {
        NvmlStub stub = NvmlStub.get();
        // Pre-Volta GPU (no counter) whose power this user may not read.
        stub.script("device=0 uuid=" + UUID_0 + " energy_rc=3 power_rc=4");

        Availability noPower = provider.probe(stub.context());

        assertThat(noPower.available()).isFalse();
        assertThat(noPower.reason()).contains("GPU 0 (" + UUID_0 + "): the energy counter is not supported and power"
                        + " cannot be read: nvmlDeviceGetPowerUsage returned NVML_ERROR_NO_PERMISSION (4,",
                "run as a user allowed to query the GPU");
        assertThatThrownBy(() -> provider.open(stub.context())).isInstanceOf(PluginException.class)
                .hasMessage(noPower.reason());
        assertThat(stub.initDepth()).as("a failed open releases NVML").isZero();

        stub.script("device=0 uuid=" + UUID_0 + " energy_rc=4");
        assertThat(provider.probe(stub.context()).reason()).contains(
                "nvmlDeviceGetTotalEnergyConsumption returned NVML_ERROR_NO_PERMISSION");
    }

    @Test
    void migEnabledGpuIsRefusedWithWhatIsUnsupported() throws Exception {
        NvmlStub stub = NvmlStub.get();
        stub.script("devices=2", "device=0 uuid=" + UUID_0 + " mig_rc=3", "device=1 uuid=" + UUID_1 + " mig=1");

        Availability all = provider.probe(stub.context());
        assertThat(all.available()).isFalse();
        assertThat(all.reason()).contains("GPU 1 (" + UUID_1 + ") has MIG mode enabled",
                "MIG instances are not supported", "NVML reports power and energy only for the whole GPU",
                "sudo nvidia-smi -i 1 -mig 0");

        // A MIG GPU the process does not use is no obstacle; a GPU without MIG support (mig_rc=3) counts as disabled.
        assertThat(provider.probe(stub.context(Map.of("CUDA_VISIBLE_DEVICES", "0"))).available()).isTrue();

        Availability migInstance = provider.probe(stub.context(Map.of("CUDA_VISIBLE_DEVICES", "MIG-" + UUID_1 + "/1/0")));
        assertThat(migInstance.available()).isFalse();
        assertThat(migInstance.reason()).contains("CUDA_VISIBLE_DEVICES names the MIG instance 'MIG-" + UUID_1,
                "MIG instances are not supported");
    }

    @Test
    void noVisibleGpuIsUnavailable() throws Exception {
        NvmlStub stub = NvmlStub.get();
        stub.script("devices=2");
        assertThat(provider.probe(stub.context(Map.of("CUDA_VISIBLE_DEVICES", ""))).reason())
                .isEqualTo("no GPU visible: CUDA_VISIBLE_DEVICES is set but empty, which hides every GPU");
        assertThat(provider.probe(stub.context(Map.of("CUDA_VISIBLE_DEVICES", "7,0"))).reason())
                .startsWith("no GPU visible: entry '7' of CUDA_VISIBLE_DEVICES='7,0' is not a GPU index (0..1)");

        stub.script("devices=0");
        assertThat(provider.probe(stub.context()).reason()).contains("NVML reports no GPU on this host");
    }

    @Test
    void badMethodSettingIsUnavailable() throws Exception {
        NvmlStub stub = NvmlStub.get();
        stub.script("devices=1");
        PluginContext context = stub.context(Duration.ofMillis(100), Map.of(), Map.of("nvml.method", "guess"));
        assertThat(provider.probe(context).reason()).isEqualTo("nvml.method must be auto or sampled-power, was 'guess'");
    }
}
