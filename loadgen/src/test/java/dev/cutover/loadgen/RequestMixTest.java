package dev.cutover.loadgen;

import org.junit.jupiter.api.Test;

import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class RequestMixTest {

    @Test
    void everyNthRequestOfTheRunIsSlow() {
        final RequestMix mix = new RequestMix(20, 0);

        assertThat(LongStream.rangeClosed(1, 1000).filter(n -> mix.kindOf(n) == RequestKind.SLOW).count()).isEqualTo(50);
        assertThat(mix.kindOf(20)).isEqualTo(RequestKind.SLOW);
        assertThat(mix.kindOf(21)).isEqualTo(RequestKind.NORMAL);
    }

    @Test
    void anUploadWinsWhenANumberIsDueForBoth() {
        final RequestMix mix = new RequestMix(2, 3);

        assertThat(mix.kindOf(6)).isEqualTo(RequestKind.UPLOAD);
        assertThat(mix.kindOf(4)).isEqualTo(RequestKind.SLOW);
        assertThat(mix.kindOf(3)).isEqualTo(RequestKind.UPLOAD);
        assertThat(mix.kindOf(5)).isEqualTo(RequestKind.NORMAL);
    }

    @Test
    void zeroMeansThatKindIsNeverSent() {
        final RequestMix mix = new RequestMix(0, 0);

        assertThat(LongStream.rangeClosed(1, 100).mapToObj(mix::kindOf)).containsOnly(RequestKind.NORMAL);
    }
}
