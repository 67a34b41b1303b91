package dev.cutover.engine.health;

/**
 * One try of a health check, as shown while a deploy waits: "try 3/120: 503 (streak 0)".
 *
 * @param number      1 for the first try
 * @param maxAttempts how many tries fit before the deadline
 * @param status      the HTTP status, 0 when there was no answer
 * @param detail      "200", "connection refused", "timed out after 2 s"
 * @param streak      good answers in a row so far, this one included
 */
public record HealthAttempt(int number, int maxAttempts, int status, String detail, int streak) {
}
