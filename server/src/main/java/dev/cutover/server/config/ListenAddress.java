package dev.cutover.server.config;

import java.net.InetSocketAddress;

import io.netty.util.NetUtil;

/** A listener written as {@code host:port}: {@code 127.0.0.1:8080}, {@code 0.0.0.0:8080}, {@code [::1]:8080}. */
final class ListenAddress {

    static final String EXAMPLES = "127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080";

    private ListenAddress() {
    }

    /**
     * The resolved address.
     *
     * @throws IllegalArgumentException with what is wrong, to follow the key's name in a message
     */
    static InetSocketAddress parse(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            if (close < 0) {
                throw new IllegalArgumentException(quoted(text) + " is not a listen address; write it like " + EXAMPLES);
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
            if (!NetUtil.isValidIpV6Address(host)) {
                throw new IllegalArgumentException("[" + host + "] is not an IPv6 address");
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(quoted(text) + " is not a listen address (it needs a host and a port);"
                        + " write it like " + EXAMPLES);
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
            if (host.contains(":")) {
                throw new IllegalArgumentException(quoted(text) + " is not a listen address; put an IPv6 address in"
                        + " brackets, like [::1]:8080");
            }
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(quoted(text) + " is not a listen address (port " + quoted(port)
                    + " is not a number); write it like " + EXAMPLES);
        }
        if (number < 1 || number > 65535) {
            throw new IllegalArgumentException("port " + number + " is out of range; use 1 to 65535");
        }
        InetSocketAddress address = new InetSocketAddress(host, number);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("host " + quoted(host) + " does not resolve to an address;"
                    + " use an IP address such as 127.0.0.1 or 0.0.0.0");
        }
        return address;
    }

    private static String quoted(String s) {
        return '"' + s + '"';
    }
}
