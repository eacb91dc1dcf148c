package io.lem.aggregator.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PrometheusTextTest {

    @Test
    void writesFamiliesWithHelpTypeAndEscapedLabels() {
        String text = new PrometheusText()
                .declare("lem_empty", "declared only", "gauge")
                .gauge("lem_experiment_energy_joules", "Energy", 12.5, "experiment", "a\"b\\c\nd")
                .gauge("lem_experiment_energy_joules", "Energy", 3, "experiment", "x")
                .counter("lem_events_total", "Events", 7)
                .render();
        assertThat(text).isEqualTo("""
                # HELP lem_empty declared only
                # TYPE lem_empty gauge
                # HELP lem_experiment_energy_joules Energy
                # TYPE lem_experiment_energy_joules gauge
                lem_experiment_energy_joules{experiment="a\\"b\\\\c\\nd"} 12.5
                lem_experiment_energy_joules{experiment="x"} 3
                # HELP lem_events_total Events
                # TYPE lem_events_total counter
                lem_events_total 7
                """);
        assertThat(PrometheusText.format(Double.NaN)).isEqualTo("NaN");
        assertThat(PrometheusText.format(Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(PrometheusText.format(1e20)).isEqualTo("1.0E20");
    }
}
