/**
 * The measuring instrument behind "zero failed requests": closed-loop HTTP/1.1 load whose every
 * request ends in exactly one {@link dev.cutover.loadgen.RequestRecord}, folded into a
 * {@link dev.cutover.loadgen.LoadReport}.
 *
 * <p>Start at {@link dev.cutover.loadgen.LoadGenerator#builder(java.net.URI)}. Nothing here retries,
 * pools across connections or hides an error: a request that failed for the client is counted as
 * failed, with its cause.
 */
package dev.cutover.loadgen;
