package io.lem.plugins.nvml;

import io.lem.api.plugin.PluginException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** CUDA's rules for CUDA_VISIBLE_DEVICES, on NVML indices. */
class VisibleDevicesTest {

    private static final List<String> UUIDS = List.of(
            "GPU-8932f937-d72c-4106-c12f-20bd9faed9f6",
            "GPU-8932aaaa-0000-0000-0000-000000000000",
            "GPU-5c3a0000-0000-0000-0000-000000000000");

    private static List<Integer> select(String value) throws PluginException {
        return VisibleDevices.select(value, UUIDS).indices();
    }

    @Test
    void unsetMeansAllAndEmptyMeansNone() throws PluginException {
        assertThat(select(null)).containsExactly(0, 1, 2);
        assertThat(select("")).isEmpty();
        assertThat(select("  ")).isEmpty();
    }

    @Test
    void indicesInTheGivenOrderAndUntilTheFirstInvalidEntry() throws PluginException {
        assertThat(select("2,0")).containsExactly(2, 0);
        assertThat(select(" 1 , 2 ")).containsExactly(1, 2);
        assertThat(select("0,2,-1,1")).containsExactly(0, 2);
        assertThat(select("0,3,1")).containsExactly(0);
        assertThat(select("x")).isEmpty();
        assertThat(select("0,0,1")).containsExactly(0, 1);
        assertThat(VisibleDevices.select("0,3,1", UUIDS).note()).contains("entry '3'", "it and the entries after it");
    }

    @Test
    void uuidsAndUniquePrefixes() throws PluginException {
        assertThat(select("GPU-5c3a0000-0000-0000-0000-000000000000")).containsExactly(2);
        assertThat(select("GPU-8932f,gpu-5C3A")).containsExactly(0, 2);
        assertThat(select("GPU-8932,1")).as("ambiguous prefix is invalid").isEmpty();
        assertThat(select("1,8932f937")).as("the GPU- prefix is required").containsExactly(1);
    }

    @Test
    void unreadableGpusMatchNoUuid() throws PluginException {
        List<String> partly = Arrays.asList(null, "GPU-5c3a0000");
        assertThat(VisibleDevices.select("GPU-5c3a", partly).indices()).containsExactly(1);
        assertThat(VisibleDevices.select("0", partly).indices()).containsExactly(0);
    }

    @Test
    void migInstancesAreRefused() {
        assertThatThrownBy(() -> select("0,MIG-GPU-8932f937-d72c-4106-c12f-20bd9faed9f6/1/0"))
                .isInstanceOf(PluginException.class).hasMessageContaining("MIG instances are not supported");
    }
}
