/**
 * The daemon: cutover.yml, the control API, and the proxy and the engine run together.
 */
package dev.cutover.server;
