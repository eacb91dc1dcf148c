package io.lem.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import org.junit.jupiter.api.Test;

import java.net.URL;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI's logback.xml must parse cleanly: a broken one prints logback's own noise on every command. */
class LoggingConfigTest {

    @Test
    void shippedLogbackConfigParsesWithoutErrorsAndIsQuietByDefault() throws Exception {
        URL config = LemMain.class.getResource("/logback.xml");
        assertThat(config).isNotNull();
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(config);
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .noneMatch(status -> status.getLevel() >= Status.WARN);
        assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.WARN);
        // a CPU host is normal: DJL's warning that it found no CUDA driver is not shown
        assertThat(context.getLogger("ai.djl.util.cuda.CudaUtils").getEffectiveLevel()).isEqualTo(Level.ERROR);
    }
}
