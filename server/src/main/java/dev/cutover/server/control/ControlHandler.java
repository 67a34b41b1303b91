package dev.cutover.server.control;

/**
 * One endpoint of the control API. Runs on its own virtual thread, never on an event loop, so it
 * may block for as long as the work takes (a deploy takes minutes).
 *
 * <p>Answer through {@code res} exactly once: {@link ControlResponse#json} or
 * {@link ControlResponse#error}, or {@link ControlResponse#stream} followed by lines. Throwing
 * {@link ControlException} answers with its status and message; any other exception answers 500
 * with the exception's message (or, mid-stream, ends the stream with a final {@code {"error": ...}}
 * line).
 */
@FunctionalInterface
public interface ControlHandler {

    void handle(ControlRequest req, ControlResponse res) throws Exception;
}
