/**
 * The daemon's control API transport: HTTP/1.1 with JSON over a Unix socket (file permissions are
 * the access control), optionally over TCP with a bearer token and TLS; routes with path parameters;
 * handlers that run off the event loop and may answer with one document or an NDJSON stream; and a
 * plain-JDK client for the CLI. The endpoints themselves live elsewhere and are registered through
 * {@link dev.cutover.server.control.ControlRoutes}.
 */
package dev.cutover.server.control;
