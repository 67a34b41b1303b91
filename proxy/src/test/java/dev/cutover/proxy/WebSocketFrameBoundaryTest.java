package dev.cutover.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

class WebSocketFrameBoundaryTest {

    @Test
    void framesOfEveryLengthEncodingEndWhereTheyShouldWhateverTheSplit() {
        byte[] first = frame(5, false);          // 7-bit length
        byte[] second = frame(300, true);        // 16-bit length, masked
        byte[] third = frame(70_000, false);     // 64-bit length
        byte[] stream = concat(first, second, third);

        for (int split = 1; split < 400; split++) {
            WebSocketFrameBoundary frames = new WebSocketFrameBoundary();
            ByteBuf buf = Unpooled.wrappedBuffer(stream);
            List<Integer> ends = new ArrayList<>();
            int position = 0;
            while (position < stream.length) {
                position += frames.advance(buf, position, Math.min(split, stream.length - position), true);
                if (frames.atBoundary()) {
                    ends.add(position);
                }
            }
            assertThat(ends).as("frame ends with %d-byte reads", split)
                    .containsExactly(first.length, first.length + second.length, stream.length);
        }
    }

    @Test
    void stopsAtTheFirstFrameEndInsideABuffer() {
        byte[] stream = concat(frame(3, false), frame(4, false));
        WebSocketFrameBoundary frames = new WebSocketFrameBoundary();

        int passed = frames.advance(Unpooled.wrappedBuffer(stream), 0, stream.length, true);

        assertThat(passed).isEqualTo(5);
        assertThat(frames.atBoundary()).isTrue();
    }

    @Test
    void isInsideAFrameUntilItsLastPayloadByte() {
        byte[] frame = frame(10, true);
        WebSocketFrameBoundary frames = new WebSocketFrameBoundary();

        frames.advance(Unpooled.wrappedBuffer(frame), 0, frame.length - 1, false);
        assertThat(frames.atBoundary()).isFalse();

        frames.advance(Unpooled.wrappedBuffer(frame), frame.length - 1, 1, false);
        assertThat(frames.atBoundary()).isTrue();
    }

    @Test
    void closeFramesCarryStatus1001AndTheServerBoundOneIsMasked() {
        assertThat(WebSocketFrameBoundary.closeFrameToClient()).containsExactly(0x88, 0x02, 0x03, 0xE9);
        byte[] masked = WebSocketFrameBoundary.closeFrameToServer(0x01020304);
        assertThat(masked[1] & 0x80).isEqualTo(0x80);
        assertThat(new byte[] {(byte) (masked[6] ^ masked[2]), (byte) (masked[7] ^ masked[3])}).containsExactly(0x03, 0xE9);
    }

    static byte[] frame(int payload, boolean masked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x82);
        int maskBit = masked ? 0x80 : 0;
        if (payload < 126) {
            out.write(maskBit | payload);
        } else if (payload < 65536) {
            out.write(maskBit | 126);
            out.write(payload >>> 8);
            out.write(payload);
        } else {
            out.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payload >>> shift));
            }
        }
        if (masked) {
            out.writeBytes(new byte[] {1, 2, 3, 4});
        }
        out.writeBytes(new byte[payload]);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
