/**
 * cutover.yml: read strictly into {@link dev.cutover.server.config.CutoverConfig}, or refused with
 * every problem named by file, line and key. Start at {@link dev.cutover.server.config.ConfigLoader}.
 */
package dev.cutover.server.config;
