package dev.cutover.proxy;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Responses the proxy writes itself: a status and one sentence saying what happened, so the
 * person reading it with curl at 3 a.m. knows where to look. Written as bytes, like every
 * response the proxy sends.
 */
final class ErrorResponses {

    private ErrorResponses() {
    }

    static ByteBuf of(ByteBufAllocator alloc, HttpResponseStatus status, String sentence, boolean keepAlive) {
        byte[] body = (status.code() + " " + status.reasonPhrase() + ": " + sentence + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status.code() + " " + status.reasonPhrase() + "\r\n"
                + "content-type: text/plain; charset=utf-8\r\n"
                + "content-length: " + body.length + "\r\n"
                + "server: cutover\r\n"
                + (keepAlive ? "" : "connection: close\r\n")
                + "\r\n";
        ByteBuf out = alloc.buffer(head.length() + body.length);
        out.writeCharSequence(head, StandardCharsets.US_ASCII);
        return out.writeBytes(body);
    }
}
