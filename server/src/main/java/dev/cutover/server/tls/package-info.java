/**
 * The PEM files behind the control API's HTTPS: a certificate chain, its PKCS#8 private key, and
 * the CA a client trusts. Read with the JDK alone, with errors an operator can act on, so that
 * cutover.yml, the daemon and the CLI all judge the same file the same way.
 */
package dev.cutover.server.tls;
