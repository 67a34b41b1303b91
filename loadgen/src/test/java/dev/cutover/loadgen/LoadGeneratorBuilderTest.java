package dev.cutover.loadgen;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LoadGeneratorBuilderTest {

    private static final URI TARGET = URI.create("http://127.0.0.1:9/");

    @Test
    void httpsIsRefusedWithASentence() {
        assertThatThrownBy(() -> LoadGenerator.builder(URI.create("https://example.com/")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the load generator speaks plain http only; cannot load https://example.com/");
    }

    @Test
    void nonsenseKnobsAreRefusedNamingTheKnob() {
        assertThatThrownBy(() -> LoadGenerator.builder(TARGET).concurrency(0))
                .hasMessage("concurrency must be at least 1, got 0");
        assertThatThrownBy(() -> LoadGenerator.builder(TARGET).requestTimeout(Duration.ZERO))
                .hasMessage("requestTimeout must be a positive duration, got PT0S");
        assertThatThrownBy(() -> LoadGenerator.builder(TARGET).slowEvery(-1))
                .hasMessage("slowEvery must be 0 or more, got -1");
    }

    @Test
    void aPathThatWouldForgeARequestLineIsRefused() {
        assertThatThrownBy(() -> LoadGenerator.builder(TARGET).uploadPath("/upload HTTP/1.1\r\nHost: evil"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("without spaces");
    }

    @Test
    void runRefusesALoadWithoutAnEnd() {
        assertThatThrownBy(() -> LoadGenerator.builder(TARGET).build().run())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("give the load a duration or maxRequests");
    }

    @Test
    void aGeneratorRunsOnce() {
        final LoadGenerator generator = LoadGenerator.builder(TARGET).maxRequests(1).build();
        generator.run();

        assertThatThrownBy(generator::start).hasMessageContaining("already run");
    }
}
