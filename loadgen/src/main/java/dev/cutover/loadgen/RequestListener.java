package dev.cutover.loadgen;

/**
 * Told about every request once it is complete (ok or failed). Called on an I/O thread, so it must be
 * cheap and must not block; with several I/O threads it is called concurrently. A listener that throws
 * does not disturb the run: the first exception is rethrown when the report is collected.
 */
@FunctionalInterface
public interface RequestListener {

    void onRequest(RequestRecord record);
}
