package dev.pgbox.component;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import java.util.List;
import java.util.Locale;

/**
 * This machine's member of an HA cluster: its name (Patroni's and its etcd member's) and the address
 * the other members reach it at (PostgreSQL, Patroni's REST API and etcd). The address is the first of
 * POSTGRES_LISTEN, or the loopback POSTGRES_HOST for a one-box trial.
 *
 * @param cluster Patroni's scope (PATRONI_CLUSTER)
 */
public record HaMember(String cluster, String name, String address) {

    /** From the settings and the host name (used when PATRONI_MEMBER is not set). Pure. */
    public static HaMember of(Settings s, String hostName) {
        String name = s.isSet(Setting.PATRONI_MEMBER) ? s.get(Setting.PATRONI_MEMBER) : memberName(hostName);
        return new HaMember(s.get(Setting.PATRONI_CLUSTER), name, address(s));
    }

    /** A host name as a member name: lowercase letters, digits and _, starting with a letter. */
    static String memberName(String hostName) {
        String n = hostName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (n.isEmpty() || !Character.isLetter(n.charAt(0))) {
            n = "m" + n;
        }
        return n.length() > 63 ? n.substring(0, 63) : n;
    }

    static String address(Settings s) {
        List<String> listen = Settings.list(s.get(Setting.POSTGRES_LISTEN));
        if (listen.isEmpty()) {
            String host = s.get(Setting.POSTGRES_HOST);
            return host.equals("localhost") ? "127.0.0.1" : host;
        }
        if (listen.get(0).equals("*")) {
            throw new PgboxException(ErrorKind.CONFIG, "POSTGRES_LISTEN=* names no address for this HA member",
                    "the other members, Patroni and etcd need the one address this member is reached at",
                    "write this member's address in POSTGRES_LISTEN (e.g. POSTGRES_LISTEN=10.0.0.5)");
        }
        return listen.get(0);
    }

    /** host:port, with brackets around an IPv6 address. */
    public String hostPort(int port) {
        return (address.contains(":") ? "[" + address + "]" : address) + ":" + port;
    }

    public String url(int port) {
        return "http://" + hostPort(port);
    }
}
