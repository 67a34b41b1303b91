package dev.cutover.sample;

/**
 * The bytes {@code /download} sends: byte i is {@code (i * 31 + 7) & 0xff}. Every byte depends on
 * its position, so a client can tell a dropped, duplicated or reordered chunk from a good one.
 */
public final class SamplePattern {

    /** The pattern repeats every 256 bytes, because 31 * 256 is a multiple of 256. */
    public static final int PERIOD = 256;

    private SamplePattern() {
    }

    /** The byte at position {@code i} (0-based) of every download. */
    public static byte byteAt(long i) {
        return (byte) ((i * 31 + 7) & 0xff);
    }

    /**
     * The first {@code length} bytes of the pattern. Since the pattern repeats every {@link #PERIOD}
     * bytes, this block is also the content at any offset that is a multiple of 256.
     */
    public static byte[] firstBytes(int length) {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = byteAt(i);
        }
        return bytes;
    }
}
