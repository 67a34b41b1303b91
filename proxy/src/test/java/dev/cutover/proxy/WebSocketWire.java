package dev.cutover.proxy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import dev.cutover.testing.RawHttp;

/** The client side of a WebSocket, on a raw socket: an upgrade request, masked frames out, frames in. */
final class WebSocketWire {

    record Frame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeStatus() {
            return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }
    }

    private WebSocketWire() {
    }

    static RawHttp.Response upgrade(RawHttp client, String path) throws IOException {
        return client.send("GET " + path + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").readResponse();
    }

    static byte[] maskedFrame(int opcode, byte[] payload) {
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        int headerLength = 2 + (payload.length < 126 ? 0 : payload.length < 65536 ? 2 : 8) + 4;
        byte[] frame = new byte[headerLength + payload.length];
        frame[0] = (byte) (0x80 | opcode);
        int i = 2;
        if (payload.length < 126) {
            frame[1] = (byte) (0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame[1] = (byte) (0x80 | 126);
            frame[i++] = (byte) (payload.length >>> 8);
            frame[i++] = (byte) payload.length;
        } else {
            frame[1] = (byte) (0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame[i++] = (byte) ((long) payload.length >>> shift);
            }
        }
        System.arraycopy(mask, 0, frame, i, 4);
        i += 4;
        for (int j = 0; j < payload.length; j++) {
            frame[i + j] = (byte) (payload[j] ^ mask[j % 4]);
        }
        return frame;
    }

    static Frame readFrame(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        int first = data.readUnsignedByte();
        int second = data.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = data.readUnsignedShort();
        } else if (length == 127) {
            length = data.readLong();
        }
        byte[] mask = null;
        if ((second & 0x80) != 0) {
            mask = data.readNBytes(4);
        }
        byte[] payload = data.readNBytes((int) length);
        if (mask != null) {
            for (int j = 0; j < payload.length; j++) {
                payload[j] ^= mask[j % 4];
            }
        }
        return new Frame(first & 0x0f, payload);
    }
}
