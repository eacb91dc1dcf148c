package io.lem.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Kafka's server drags in log4j; exactly one backend (logback) must remain, with log4j-api routed to slf4j. */
class LoggingClasspathTest {

    @Test
    void log4jApiIsRoutedToSlf4jAndLogbackIsTheOnlyBackend() {
        assertThat(org.apache.logging.log4j.LogManager.getContext(false).getClass().getName())
                .startsWith("org.apache.logging.slf4j.");
        assertThat(LoggerFactory.getILoggerFactory()).isInstanceOf(ch.qos.logback.classic.LoggerContext.class);
        assertThatThrownBy(() -> Class.forName("org.apache.logging.log4j.core.LoggerContext"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("org.apache.logging.slf4j.Log4jLoggerFactory"))
                .as("log4j-slf4j(2)-impl would loop slf4j back into log4j")
                .isInstanceOf(ClassNotFoundException.class);
    }
}
