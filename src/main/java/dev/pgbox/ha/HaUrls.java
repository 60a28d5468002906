package dev.pgbox.ha;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import dev.pgbox.apps.AppUrls;
import dev.pgbox.apps.Connections;
import dev.pgbox.apps.MultiHostUrls;
import dev.pgbox.cluster.PatroniSupervisor;
import dev.pgbox.cluster.Server;
import dev.pgbox.component.EtcdComponent;
import dev.pgbox.component.HaMember;
import dev.pgbox.config.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * {@code pgbox app url NAME --ha}: the app's login (as {@code app url} gives it) at every member of the
 * HA cluster, the members' addresses as Patroni's {@code /cluster} on this member lists them.
 */
public final class HaUrls {
    private HaUrls() {
    }

    /** The multi-host URLs for {@code as}; CONFIG on a project that is not an HA member, NOT_RUNNING when Patroni does not answer. */
    public static MultiHostUrls of(Settings s, Connections.As as, boolean readOnly) {
        Server server = Server.open(s);
        if (!PatroniSupervisor.isMember(server.layout())) {
            throw new PgboxException(ErrorKind.CONFIG, "--ha needs an HA member: this project is not one",
                    "no " + PatroniSupervisor.memberFile(server.layout()) + " ('pgbox ha init' or 'pgbox ha join' writes it)",
                    "leave --ha out for this server's own URL, or run it in a member's project");
        }
        AppUrls one = Connections.urls(server, as);
        HaMember me = HaMember.of(s, EtcdComponent.hostName());
        String api = HaService.restUrl(s, me);
        PatroniApi.Answer a = PatroniApi.get(api + "/cluster", s, Duration.ofSeconds(3));
        if (a.status() != 200) {
            throw new PgboxException(ErrorKind.NOT_RUNNING, "cannot list the HA cluster's members",
                    a.answered() ? "Patroni answered " + a.status() + ": " + a.body().strip() : "no answer from " + api,
                    "start this member ('pgbox start'); 'pgbox ha status' shows etcd and Patroni");
        }
        List<MultiHostUrls.Host> hosts = new ArrayList<>();
        for (HaStatus.Member m : PatroniCluster.members(a.body())) {
            if (m.host() != null && m.port() != null) {
                hosts.add(new MultiHostUrls.Host(m.host(), m.port()));
            }
        }
        if (hosts.isEmpty()) {
            throw new PgboxException(ErrorKind.NOT_RUNNING, "cannot list the HA cluster's members", "Patroni lists no member with an address",
                    "wait until 'pgbox ha status' shows the members, then ask again");
        }
        return MultiHostUrls.of(one, hosts, sslmode(one.cert(), hosts), readOnly);
    }

    /** verify-full when the pinned certificate names every host; verify-ca otherwise (or when it cannot be read). */
    static String sslmode(Path cert, List<MultiHostUrls.Host> hosts) {
        try (InputStream in = Files.newInputStream(cert)) {
            X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            Collection<List<?>> names = c.getSubjectAlternativeNames();
            return names != null && hosts.stream().allMatch(h -> names(h.host(), names)) ? "verify-full" : "verify-ca";
        } catch (IOException | CertificateException | RuntimeException e) {
            return "verify-ca";
        }
    }

    /** Whether one subject alternative name matches {@code host}: an IP entry (type 7) by address, a DNS entry (type 2) by name. */
    static boolean names(String host, Collection<List<?>> altNames) {
        for (List<?> n : altNames) {
            int type = (Integer) n.get(0);
            String value = String.valueOf(n.get(1));
            if (type == 2 && value.toLowerCase(Locale.ROOT).equals(host.toLowerCase(Locale.ROOT))) {
                return true;
            }
            if (type == 7 && sameAddress(value, host)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameAddress(String a, String b) {
        if (!literal(a) || !literal(b)) {
            return false;
        }
        try {
            // literals only: InetAddress.getByName does no lookup for them
            return InetAddress.getByName(a).equals(InetAddress.getByName(b));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static boolean literal(String s) {
        return s.matches("[0-9.]+") || s.contains(":");
    }
}
