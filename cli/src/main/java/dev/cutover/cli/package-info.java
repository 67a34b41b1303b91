/**
 * The cutover command: thin clients of the daemon's control API, the demo and the load test.
 */
package dev.cutover.cli;
