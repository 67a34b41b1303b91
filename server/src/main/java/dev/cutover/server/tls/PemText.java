package dev.cutover.server.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A PEM file's blocks: {@code -----BEGIN TYPE-----}, base64, {@code -----END TYPE-----}. */
final class PemText {

    /** Any body: a legacy block with headers (Proc-Type: 4,ENCRYPTED) must still be recognised by its type. */
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    /** One block: its type ({@code CERTIFICATE}, {@code PRIVATE KEY}, ...) and its base64 text. */
    record Block(String type, String base64) {

        byte[] der() throws IllegalArgumentException {
            return Base64.getMimeDecoder().decode(base64);
        }
    }

    private PemText() {
    }

    /**
     * The blocks of {@code file}, in order.
     *
     * @param holds what the file should hold, for the message when it is missing: "the daemon's certificate chain"
     * @throws PemException when the file is missing, not a file or unreadable
     */
    static List<Block> blocks(Path file, String holds) throws PemException {
        if (!Files.exists(file)) {
            throw new PemException(file + " does not exist; it should hold " + holds + " in PEM");
        }
        if (!Files.isRegularFile(file)) {
            throw new PemException(file + " is not a file; it should hold " + holds + " in PEM");
        }
        String text;
        try {
            // ISO-8859-1 never fails to decode: a binary (DER) file is then reported as "not PEM", not as unreadable
            text = Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (AccessDeniedException e) {
            throw new PemException(file + " cannot be read (permission denied); let the user running cutover read it");
        } catch (IOException e) {
            throw new PemException(file + " cannot be read (" + e.getMessage() + "); let the user running cutover read it");
        }
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            blocks.add(new Block(m.group(1), m.group(2)));
        }
        return blocks;
    }

    /** The types found, for a message: "PRIVATE KEY, CERTIFICATE". */
    static String types(List<Block> blocks) {
        return String.join(", ", blocks.stream().map(Block::type).distinct().toList());
    }
}
