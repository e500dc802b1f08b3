package io.elasticci.buildkite.token.buildkite.emulator;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Whether a string is an IPv4 or IPv6 CIDR (address/prefix), as Buildkite validates allowed IP addresses. */
final class Cidr {

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private Cidr() {
    }

    static boolean isValid(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0 || slash != cidr.lastIndexOf('/')) {
            return false;
        }
        String address = cidr.substring(0, slash);
        int prefix;
        try {
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            return false;
        }
        var v4 = IPV4.matcher(address);
        if (v4.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(v4.group(i)) > 255) {
                    return false;
                }
            }
            return prefix >= 0 && prefix <= 32;
        }
        // only a literal with a colon reaches InetAddress, which then parses it and never asks DNS
        return IPV6.matcher(address).matches() && isAddress(address) && prefix >= 0 && prefix <= 128;
    }

    private static boolean isAddress(String literal) {
        try {
            InetAddress.getByName(literal);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
