package io.lem.plugins.carbon;

import io.lem.api.carbon.GridIntensity;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.StringReader;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CarbonTableTest {

    private static CarbonTable parse(String csv) throws Exception {
        return CarbonTable.parse("test.csv", new BufferedReader(new StringReader(csv)));
    }

    @Test
    void builtInTableCoversMajorRegionsWithSourceAndYear() {
        CarbonTable table = CarbonTable.builtIn();
        Set<String> codes = table.regions().stream().map(GridIntensity::region).collect(Collectors.toSet());

        assertThat(table.size()).isGreaterThanOrEqualTo(39);
        assertThat(codes).contains("WORLD", "US", "CN", "IN", "DE", "FR", "GB", "CA", "BR", "AU", "SE", "NO", "PL");
        assertThat(codes).anyMatch(c -> c.startsWith("US-")); // at least one sub-national grid
        for (GridIntensity row : table.regions()) {
            assertThat(row.source()).as(row.region()).isNotBlank();
            assertThat(row.year()).as(row.region()).isBetween(2020, 2030);
            assertThat(row.gramsCo2PerKwh()).as(row.region()).isBetween(1.0, 1200.0);
            assertThat(row.name()).as(row.region()).isNotBlank();
        }
    }

    @Test
    void lookupReturnsTheCitedRow() {
        GridIntensity france = CarbonTable.builtIn().require("FR");

        assertThat(france.name()).isEqualTo("France");
        assertThat(france.gramsCo2PerKwh()).isEqualTo(56.0);
        assertThat(france.source()).contains("Ember");
        assertThat(france.year()).isEqualTo(2023);
        assertThat(CarbonRegions.require("WORLD").gramsCo2PerKwh()).isEqualTo(481.0);
    }

    @Test
    void lookupIsCaseInsensitiveAndReadsUnderscoreAsHyphen() {
        CarbonTable table = CarbonTable.builtIn();

        assertThat(table.find("fr")).contains(table.require("FR"));
        assertThat(table.find(" World ")).contains(table.require("WORLD"));
        assertThat(table.find("us_wv")).contains(table.require("US-WV"));
        assertThat(table.find("Us-Wy")).isPresent();
        assertThat(table.find("ZZ")).isEmpty();
        assertThat(table.find(null)).isEmpty();
    }

    @Test
    void unknownRegionGivesOneLineWithCloseMatchesAndHowToListAll() {
        assertThatThrownBy(() -> CarbonRegions.require("FRA"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown carbon region 'FRA'")
                .hasMessageContaining("FR (France)")
                .hasMessageContaining("lem plugins probe")
                .hasMessageContaining("carbon.table")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> CarbonRegions.require("germany")).hasMessageContaining("DE (Germany)");
        assertThatThrownBy(() -> CarbonRegions.require("US-CAL")).hasMessageContaining("US (United States)");
        assertThatThrownBy(() -> CarbonRegions.require("QQQQQQ"))
                .hasMessageNotContaining("did you mean")
                .hasMessageContaining("list all");
    }

    @Test
    void kgCo2IsKwhTimesPueTimesIntensity() {
        GridIntensity grid = new GridIntensity("XX", "test", 400.0, "test", 2023);

        // 3.6e6 J = 1 kWh; 1 kWh x 1.5 x 400 g = 600 g
        assertThat(grid.kgCo2(3.6e6, Pue.require(1.5))).isEqualTo(0.6, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(CarbonRegions.require("FR").kgCo2(3.6e9, Pue.NONE)).isEqualTo(56.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void pueMustBeAtLeastOne() {
        assertThat(Pue.require(1.0)).isEqualTo(1.0);
        assertThat(Pue.parse(" 1.58 ")).isEqualTo(1.58);
        assertThatThrownBy(() -> Pue.require(0.9)).hasMessageContaining(">= 1.0").hasMessageContaining("0.9");
        assertThatThrownBy(() -> Pue.require(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Pue.parse("fast")).hasMessageContaining("'fast'");
    }

    @Test
    void userRowsReplaceAndExtendTheBuiltInTable() throws Exception {
        CarbonTable user = parse("""
                # my data centres
                region, name, g_co2e_per_kwh, source, year

                fr,France (supplier contract),12.5,"Supplier disclosure, 2024",2024
                dc-oslo,Oslo DC,8,Metered PPA,2024
                """);
        CarbonTable merged = CarbonTable.builtIn().overriddenBy(user);

        assertThat(merged.require("FR").gramsCo2PerKwh()).isEqualTo(12.5);
        assertThat(merged.require("FR").source()).isEqualTo("Supplier disclosure, 2024");
        assertThat(merged.require("DC-OSLO").name()).isEqualTo("Oslo DC");
        assertThat(merged.require("DE")).isEqualTo(CarbonTable.builtIn().require("DE"));
        assertThat(merged.size()).isEqualTo(CarbonTable.builtIn().size() + 1);
    }

    @Test
    void malformedLinesAreReportedWithFileAndLineNumber() {
        String header = "region,name,g_co2e_per_kwh,source,year\n";
        List<String[]> cases = List.of(
                new String[] {header + "FR,France,56,Ember,2023\nDE,Germany,lots,Ember,2023\n", "line 3", "not a number"},
                new String[] {"# c\n" + header + "FR,France,56,Ember\n", "line 3", "expected 5 fields"},
                new String[] {header + "FR,France,56,Ember,2023\nfr,France,57,Ember,2023\n", "line 3", "FR appears twice"},
                new String[] {header + "FR,France,-1,Ember,2023\n", "line 2", "outside"},
                new String[] {header + "FR,France,0.056,Ember,twenty\n", "line 2", "year 'twenty'"},
                new String[] {header + "F R,France,56,Ember,2023\n", "line 2", "region code"},
                new String[] {header + "FR,\"France,56,Ember,2023\n", "line 2", "unterminated"},
                new String[] {"code,value\n", "line 1", "expected the header"},
                new String[] {"# only a comment\n", "line 1", "no header"});
        for (String[] c : cases) {
            assertThatThrownBy(() -> parse(c[0]))
                    .as(c[0])
                    .isInstanceOf(CarbonTableFormatException.class)
                    .hasMessageStartingWith("test.csv " + c[1] + ":")
                    .hasMessageContaining(c[2]);
        }
    }
}
