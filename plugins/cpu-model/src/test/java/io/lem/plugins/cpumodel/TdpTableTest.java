package io.lem.plugins.cpumodel;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TdpTableTest {

    private static final TdpTable TABLE = TdpTable.load();

    @Test
    void exactNameFromTheTable() {
        Tdp tdp = TABLE.find("Xeon Gold 6248").orElseThrow();
        assertThat(tdp.watts()).isEqualTo(150);
        assertThat(tdp.threads()).isEqualTo(40);
        assertThat(tdp.match()).isEqualTo(Tdp.Match.EXACT);
        assertThat(tdp.detail()).contains("intel-ark");
    }

    @Test
    void namesAsTheKernelReportsThemAreNormalized() {
        assertThat(TABLE.find("Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz").orElseThrow().watts()).isEqualTo(150);
        assertThat(TABLE.find("AMD EPYC 7742 64-Core Processor").orElseThrow().watts()).isEqualTo(225);
        assertThat(TABLE.find("13th Gen Intel(R) Core(TM) i7-13700K").orElseThrow().watts()).isEqualTo(125);
        assertThat(TABLE.find("Intel(R) Xeon(R) CPU E5-2620 v3 @ 2.40GHz").orElseThrow().watts()).isEqualTo(85);
        assertThat(TABLE.find("Intel(R) Xeon(R) Platinum 8480+").orElseThrow().match())
                .isEqualTo(Tdp.Match.NORMALIZED);
        assertThat(TABLE.find("AMD Ryzen Threadripper PRO 5995WX 64-Cores").orElseThrow().watts()).isEqualTo(280);
    }

    @Test
    void anotherGenerationOrSuffixIsNotAMatch() {
        assertThat(TABLE.find("Intel(R) Xeon(R) CPU E5-2620 v2 @ 2.10GHz")).isEmpty();
        assertThat(TABLE.find("Intel(R) Xeon(R) Platinum 8480C")).isEmpty();
        assertThat(TABLE.find("AMD EPYC")).isEmpty();
    }

    @Test
    void unknownModelFallsBackToWattsPerThread() {
        Tdp tdp = TABLE.lookup("AMD EPYC", 2, TdpTable.DEFAULT_WATTS_PER_THREAD);
        assertThat(tdp.watts()).isEqualTo(8.0);
        assertThat(tdp.match()).isEqualTo(Tdp.Match.FALLBACK);
        assertThat(tdp.match().relativeUncertainty()).isEqualTo(1.0);
        assertThat(tdp.detail()).contains("not in cpu-tdp.csv");
    }

    @Test
    void shippedTableIsSane() {
        assertThat(TABLE.size()).isGreaterThan(100);
        assertThat(TdpTable.normalize("Intel(R) Core(TM) i7-7600U CPU @ 2.80GHz")).isEqualTo("core i7-7600u");
    }
}
